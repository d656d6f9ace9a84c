"""TransactionManager.poll against anvil: receipts, reverts on chain, stuck transactions replaced, dropped ones."""

import pytest

from oracle.chain.tx_manager import TxOutcome
from tests.oracle.chain.helpers import SimulatedCrash, crash, poll_until_final

GWEI = 10**9


def test_poll_with_nothing_pending_returns_nothing(manager):
    assert manager.poll() == []


def test_poll_waits_while_the_transaction_is_in_the_pool(manager, journal, target, poke, rpc):
    rpc("evm_setAutomine", False)
    tx_id = manager.submit(target.address, poke(1))

    assert manager.poll() == []
    assert journal.get(tx_id).state == "pending"

    rpc("evm_mine")
    assert [(o.tx_id, o.state) for o in manager.poll()] == [(tx_id, "mined")]


def test_mined_transactions_add_their_gas_and_fees_to_the_stats(manager, journal, target, poke):
    manager.submit(target.address, poke(1))
    manager.submit(target.address, poke(2))

    receipts = [o.receipt for o in poll_until_final(manager, 2)]

    stats = journal.stats()
    assert (stats.mined, stats.pending, stats.replacements) == (2, 0, 0)
    assert stats.gas_used == sum(r["gasUsed"] for r in receipts)
    assert stats.fees_paid_wei == sum(r["gasUsed"] * r["effectiveGasPrice"] for r in receipts)


def test_transaction_that_reverts_on_chain_is_final_as_reverted(manager, journal, target, poke, owner, monkeypatch):
    broadcast = manager._broadcast

    def close_target_then_broadcast(raw: bytes) -> None:  # the state changes between simulation and mining
        target.setClosed(True, {"from": owner})
        broadcast(raw)

    monkeypatch.setattr(manager, "_broadcast", close_target_then_broadcast)
    tx_id = manager.submit(target.address, poke(5))

    [outcome] = poll_until_final(manager, 1)

    assert (outcome.tx_id, outcome.state) == (tx_id, "reverted")
    assert outcome.receipt["status"] == 0
    assert outcome.tx_hash == journal.get(tx_id).attempts[0].tx_hash
    tx = journal.get(tx_id)
    assert (tx.state, tx.gas_used, tx.block_number) == ("reverted", outcome.gas_used, outcome.block_number)
    assert journal.stats().reverted == 1
    assert target.pokes() == 0


def test_stuck_transaction_is_replaced_at_todays_fees_and_mined(make_manager, journal, target, poke, rpc, w3, sender):
    manager = make_manager(journal, stuck_after_blocks=3)
    rpc("evm_setAutomine", False)
    tx_id = manager.submit(target.address, poke(1))
    first = journal.get(tx_id).latest_attempt
    # The next block's base fee jumps far above what the first attempt offers: it cannot be mined.
    rpc("anvil_setNextBlockBaseFeePerGas", hex(10 * first.max_fee_per_gas + 10 * GWEI))

    for blocks_waited in (1, 2):
        rpc("evm_mine")
        assert manager.poll() == []
        assert len(journal.get(tx_id).attempts) == 1, f"replaced after {blocks_waited} blocks"
    rpc("evm_mine")
    block = w3.eth.get_block("latest")
    priority_now = w3.eth.max_priority_fee
    assert manager.poll() == []  # third block since the attempt: replaced now

    tx = journal.get(tx_id)
    assert len(tx.attempts) == 2
    replacement = tx.latest_attempt
    assert replacement.sent_block == block["number"]
    # anvil evicted the first attempt, so nothing is left to outbid: the replacement meets today's fees.
    assert replacement.max_priority_fee_per_gas == max(first.max_priority_fee_per_gas, priority_now)
    assert replacement.max_fee_per_gas == 2 * block["baseFeePerGas"] + replacement.max_priority_fee_per_gas
    assert replacement.max_fee_per_gas > first.max_fee_per_gas
    sent = w3.eth.get_transaction(replacement.tx_hash)
    assert (sent["nonce"], sent["maxFeePerGas"]) == (tx.nonce, replacement.max_fee_per_gas)

    rpc("evm_mine")
    [outcome] = manager.poll()

    assert (outcome.tx_id, outcome.state, outcome.tx_hash) == (tx_id, "mined", replacement.tx_hash)
    assert journal.get(tx_id).mined_hash == replacement.tx_hash
    assert journal.stats().replacements == 1
    assert target.pokes() == 1
    assert w3.eth.get_transaction_count(sender.address) == tx.nonce + 1


def test_stuck_transaction_replacements_stay_under_the_fee_cap(make_manager, journal, target, poke, rpc):
    rpc("evm_setAutomine", False)
    probe = make_manager(journal).submit(target.address, poke(1))
    offered = journal.get(probe).latest_attempt.max_fee_per_gas
    cap = offered * 105 // 100
    manager = make_manager(journal, stuck_after_blocks=1, max_fee_per_gas_cap=cap)
    rpc("anvil_setNextBlockBaseFeePerGas", hex(10 * offered + 10 * GWEI))

    for _ in range(4):
        rpc("evm_mine")
        assert manager.poll() == []

    tx = journal.get(probe)
    assert tx.state == "pending"
    assert [a.max_fee_per_gas for a in tx.attempts] == [offered, cap]  # up to the cap once, then resent as is


def test_transaction_whose_nonce_another_transaction_took_is_dropped_after_reads_across_blocks(
    make_manager, journal, target, poke, sender, w3, rpc, monkeypatch
):
    crashing = make_manager(journal)
    monkeypatch.setattr(crashing, "_broadcast", crash)
    with pytest.raises(SimulatedCrash):
        crashing.submit(target.address, poke(1))
    [journaled] = journal.pending(sender.address)
    # Someone else with the same key uses the nonce first.
    other = sender.sign_transaction(
        {
            "type": 2,
            "chainId": w3.eth.chain_id,
            "nonce": journaled.nonce,
            "to": sender.address,
            "value": 0,
            "gas": 21_000,
            "maxFeePerGas": 2 * GWEI,
            "maxPriorityFeePerGas": GWEI,
        }
    )
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(other.raw_transaction))
    manager = make_manager(journal, drop_after_blocks=2)

    assert manager.poll() == []  # the evidence (nonce used, no receipt) must hold over 3 reads and 2 blocks
    assert manager.poll() == []
    rpc("evm_mine")
    assert manager.poll() == []
    assert journal.get(journaled.tx_id).state == "pending"
    rpc("evm_mine")
    outcomes = manager.poll()

    assert outcomes == [TxOutcome(journaled.tx_id, "dropped", None, None, None, None, None)]
    assert journal.get(journaled.tx_id).state == "dropped"
    assert manager.in_flight() == 0
    assert target.pokes() == 0
    next_id = manager.submit(target.address, poke(1))
    assert journal.get(next_id).nonce == journaled.nonce + 1


def test_poll_resends_an_attempt_the_node_does_not_hold(make_manager, journal, target, poke, sender, w3, monkeypatch):
    crashing = make_manager(journal)
    monkeypatch.setattr(crashing, "_broadcast", crash)
    with pytest.raises(SimulatedCrash):
        crashing.submit(target.address, poke(1))
    manager = make_manager(journal)

    [outcome] = poll_until_final(manager, 1)  # the first poll finds the node without it and resends it

    assert outcome.state == "mined"
    assert outcome.tx_hash == journal.get(outcome.tx_id).attempts[0].tx_hash
    assert target.pokes() == 1
