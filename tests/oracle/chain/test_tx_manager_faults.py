"""TransactionManager.poll behind an RPC that lags or fails: a nonce that moves before the receipt is served."""

import pytest
from web3.exceptions import TransactionNotFound

from oracle.chain.blocks import latest_block
from oracle.chain.tx_manager import TransactionManager
from tests.faults.metrics import sample
from tests.faults.provider import faulty_web3
from tests.oracle.chain.helpers import poll_until_final


@pytest.fixture
def faulty(web3, sender, target, coordinator, journal, rpc):
    """(manager, provider): a TransactionManager whose RPC calls go through a FaultyProvider."""
    w3, provider = faulty_web3(web3.provider.endpoint_uri)
    manager = TransactionManager(w3, sender, journal, error_abi=[*target.abi, *coordinator.abi], drop_after_blocks=2)
    return manager, provider


def test_nonce_seen_used_before_the_receipt_appears_is_not_a_drop_and_nothing_is_resent(
    faulty, journal, target, poke, rpc
):
    manager, provider = faulty
    tx_id = manager.submit(target.address, poke(1))
    tx_hash = "0x" + journal.get(tx_id).latest_attempt.tx_hash.hex()
    # The chain has mined it (the account's nonce is past it) but the RPC does not serve the receipt yet.
    provider.inject("eth_getTransactionReceipt", when=lambda params: params[0] == tx_hash, result=None, times=2)
    sends = provider.count("eth_sendRawTransaction")
    withdrawn = sample("oracle_tx_drop_evidence_withdrawn_total")

    assert manager.poll() == []
    rpc("evm_mine")
    assert manager.poll() == []
    rpc("evm_mine")
    [outcome] = manager.poll()  # the receipt is served from the third read on

    assert (outcome.tx_id, outcome.state, outcome.tx_hash.hex()) == (tx_id, "mined", tx_hash[2:])
    assert journal.get(tx_id).state == "mined"
    assert len(journal.get(tx_id).attempts) == 1
    assert provider.count("eth_sendRawTransaction") == sends  # neither resent nor replaced
    assert sample("oracle_tx_drop_evidence_withdrawn_total") == withdrawn + 1
    assert target.pokes() == 1


def test_pending_transaction_above_nonces_a_reset_chain_lost_is_abandoned_and_its_nonce_reused(
    make_manager, journal, target, poke, rpc, w3, sender
):
    manager = make_manager(journal, drop_after_blocks=2)
    snapshot = rpc("evm_snapshot")
    mined = manager.submit(target.address, poke(1))
    poll_until_final(manager, 1)
    assert journal.get(mined).state == "mined"
    rpc("evm_setAutomine", False)
    in_flight = manager.submit(target.address, poke(2))
    assert journal.get(in_flight).nonce == journal.get(mined).nonce + 1
    # The chain is reset to before the mined transaction, with the other one still in flight.
    rpc("evm_revert", snapshot)
    rpc("anvil_dropAllTransactions")
    rpc("evm_setAutomine", False)
    manager.recover()  # as a restart would: nothing is rebroadcast past the gap, where a pool would keep it
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction(journal.get(in_flight).latest_attempt.tx_hash)
    abandoned = sample("oracle_tx_abandoned_total")

    assert manager.poll() == []
    rpc("evm_mine")
    assert manager.poll() == []
    assert journal.get(in_flight).state == "pending"
    rpc("evm_mine")
    [outcome] = manager.poll()

    assert (outcome.tx_id, outcome.state) == (in_flight, "dropped")
    assert sample("oracle_tx_abandoned_total") == abandoned + 1
    assert len(journal.get(in_flight).attempts) == 1  # no fee bumps for a nonce that cannot be mined
    again = manager.submit(target.address, poke(3))
    assert journal.get(again).nonce == journal.get(mined).nonce  # the lost nonce is used again
    rpc("evm_mine")
    assert [(o.tx_id, o.state) for o in poll_until_final(manager, 1)] == [(again, "mined")]
    assert target.pokes() == 1


def send_with_the_same_key(w3, account) -> bytes:
    """Another process with the node's key: a transfer to itself at the account's next nonce; returns its hash."""
    signed = account.sign_transaction(
        {
            "type": 2,
            "chainId": w3.eth.chain_id,
            "nonce": w3.eth.get_transaction_count(account.address, "pending"),
            "to": account.address,
            "value": 0,
            "gas": 21_000,
            "maxFeePerGas": 2 * 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
    )
    return w3.eth.send_raw_transaction(signed.raw_transaction)


def test_nonces_another_process_used_with_the_nodes_key_are_reported_once_and_its_own_never(
    make_manager, journal, target, poke, sender, w3, rpc, caplog
):
    manager = make_manager(journal)
    manager.submit(target.address, poke(1))
    poll_until_final(manager, 1)
    foreign = sample("oracle_foreign_nonces_total")

    # Automine answers the send before the block exists: the poll must see the block that holds it.
    w3.eth.wait_for_transaction_receipt(send_with_the_same_key(w3, sender), timeout=30)
    manager.poll(latest_block(w3))

    assert sample("oracle_foreign_nonces_total") == foreign + 1
    [error] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert f"ANOTHER SENDER IS USING THIS NODE'S KEY {sender.address}" in error
    rpc("evm_mine")
    manager.poll(latest_block(w3))
    assert sample("oracle_foreign_nonces_total") == foreign + 1  # each nonce reported once

    rpc("evm_setAutomine", False)
    manager.submit(target.address, poke(2))  # this node's own, waiting in the pool
    make_manager(journal).poll(latest_block(w3))  # a restarted node looks at the same block
    assert sample("oracle_foreign_nonces_total") == foreign + 1
    send_with_the_same_key(w3, sender)  # another sender's, waiting in the pool behind it
    make_manager(journal).poll(latest_block(w3))
    assert sample("oracle_foreign_nonces_total") == foreign + 2
