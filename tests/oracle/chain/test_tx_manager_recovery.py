"""Crash safety: a new process on the same journal file sends what the old one journaled, once, at its nonce."""

import pytest

from oracle.store.database import Database
from oracle.store.transactions import TransactionJournal
from tests.oracle.chain.helpers import SimulatedCrash, crash, poll_until_final


def test_crash_between_journal_and_broadcast_is_recovered_and_mined_exactly_once(
    make_manager, db, db_path, target, poke, sender, w3, monkeypatch
):
    crashing = make_manager(TransactionJournal(db))
    monkeypatch.setattr(crashing, "_broadcast", crash)
    with pytest.raises(SimulatedCrash):
        crashing.submit(target.address, poke(1))
    db.close()
    assert w3.eth.get_transaction_count(sender.address, "pending") == 0  # nothing reached the chain

    reopened = Database(db_path)
    try:
        journal = TransactionJournal(reopened)
        [journaled] = journal.pending(sender.address)
        manager = make_manager(journal)
        manager.recover()
        [outcome] = poll_until_final(manager, 1)

        assert (outcome.tx_id, outcome.state, outcome.tx_hash) == (
            journaled.tx_id,
            "mined",
            journaled.attempts[0].tx_hash,
        )
        assert target.pokes() == 1
        assert w3.eth.get_transaction_count(sender.address) == journaled.nonce + 1
        assert journal.stats().mined == 1
        assert (journal.stats().pending, journal.stats().dropped) == (0, 0)
        assert journal.get(journaled.tx_id + 1) is None  # no second transaction for the same call
    finally:
        reopened.close()


def test_crash_after_broadcast_then_resubmitting_the_same_call_sends_nothing_new(
    make_manager, db, db_path, target, poke, sender, w3
):
    tx_id = make_manager(TransactionJournal(db)).submit(target.address, poke(1))
    db.close()  # the process dies before the caller recorded tx_id

    reopened = Database(db_path)
    try:
        manager = make_manager(TransactionJournal(reopened))
        manager.recover()

        assert manager.submit(target.address, poke(1)) == tx_id
        [outcome] = poll_until_final(manager, 1)
        assert (outcome.tx_id, outcome.state) == (tx_id, "mined")
        assert target.pokes() == 1
        assert w3.eth.get_transaction_count(sender.address) == 1
    finally:
        reopened.close()


def test_recover_tolerates_attempts_the_node_already_holds(make_manager, journal, target, poke, rpc, w3, sender):
    rpc("evm_setAutomine", False)
    tx_id = make_manager(journal).submit(target.address, poke(1))  # in the pool: "already known" on resend
    manager = make_manager(journal)

    manager.recover()
    rpc("evm_mine")

    assert [(o.tx_id, o.state) for o in manager.poll()] == [(tx_id, "mined")]
    assert w3.eth.get_transaction_count(sender.address) == 1


def test_recover_tolerates_attempts_already_mined(make_manager, journal, target, poke, sender, w3):
    tx_id = make_manager(journal).submit(target.address, poke(1))
    w3.eth.wait_for_transaction_receipt(journal.get(tx_id).attempts[0].tx_hash)  # mined; the journal says pending
    manager = make_manager(journal)

    manager.recover()  # the node answers "nonce too low"
    manager.recover()

    assert [(o.tx_id, o.state) for o in manager.poll()] == [(tx_id, "mined")]
    assert target.pokes() == 1
    assert w3.eth.get_transaction_count(sender.address) == 1


def test_crash_between_journaling_a_replacement_and_broadcasting_it_is_recovered(
    make_manager, journal, target, poke, rpc, w3, sender, monkeypatch
):
    manager = make_manager(journal, stuck_after_blocks=1)
    rpc("evm_setAutomine", False)
    tx_id = manager.submit(target.address, poke(1))
    rpc("anvil_setNextBlockBaseFeePerGas", hex(10 * journal.get(tx_id).latest_attempt.max_fee_per_gas))
    rpc("evm_mine")
    monkeypatch.setattr(manager, "_broadcast", crash)
    with pytest.raises(SimulatedCrash):
        manager.poll()  # stuck: the replacement is journaled, then the process dies
    replacement = journal.get(tx_id).latest_attempt
    assert replacement.attempt == 2

    restarted = make_manager(journal, stuck_after_blocks=1)
    restarted.recover()
    rpc("evm_mine")
    [outcome] = restarted.poll()

    assert (outcome.tx_id, outcome.state, outcome.tx_hash) == (tx_id, "mined", replacement.tx_hash)
    assert target.pokes() == 1
    assert w3.eth.get_transaction_count(sender.address) == 1


def test_the_journal_reserves_the_nonce_of_a_transaction_the_node_never_received(
    make_manager, journal, target, poke, rpc, sender, w3, monkeypatch
):
    rpc("evm_setAutomine", False)
    crashing = make_manager(journal)
    monkeypatch.setattr(crashing, "_broadcast", crash)
    with pytest.raises(SimulatedCrash):
        crashing.submit(target.address, poke(1))
    [first] = journal.pending(sender.address)
    manager = make_manager(journal)
    assert w3.eth.get_transaction_count(sender.address, "pending") == 0  # the chain alone would hand out 0 again

    second = manager.submit(target.address, poke(2))
    manager.recover()
    rpc("evm_mine")

    assert [first.nonce, journal.get(second).nonce] == [0, 1]
    assert sorted((o.tx_id, o.state) for o in manager.poll()) == [(first.tx_id, "mined"), (second, "mined")]
    assert target.pokes() == 2
