"""TransactionManager.poll behind an RPC that lags or fails: a nonce that moves before the receipt is served."""

import pytest

from oracle.chain.tx_manager import TransactionManager
from tests.faults.metrics import sample
from tests.faults.provider import faulty_web3


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
