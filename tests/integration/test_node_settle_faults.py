"""Every outcome the transaction journal records reaches the requests it carries, whatever fails after it."""

import pytest

from oracle.store.requests import State
from tests.faults.metrics import sample
from tests.faults.provider import InjectedFault
from tests.integration.in_process import faulty_runtime


def test_answers_of_a_journalled_transaction_leave_sent_when_the_next_receipt_read_fails(
    web3, served_coordinator, requests, held_out_rows, tmp_path, rpc
):
    runtime, provider = faulty_runtime(web3.provider.endpoint_uri, served_coordinator.address, tmp_path, max_batch=1)
    node = runtime.node()
    node.start()
    first, second = requests.send([held_out_rows[0][0], held_out_rows[1][0]])
    rpc("evm_setAutomine", False)
    node.tick()  # one answer per transaction: both wait in the pool
    store, journal = runtime.store, runtime.journal
    tx_a, tx_b = store.get(first).tx_id, store.get(second).tx_id
    assert tx_a is not None and tx_b is not None and tx_a != tx_b
    hash_b = "0x" + journal.get(tx_b).latest_attempt.tx_hash.hex()
    provider.inject("eth_getTransactionReceipt", when=lambda params: params[0] == hash_b)
    rpc("evm_mine")

    with pytest.raises(InjectedFault):
        node.tick()  # journals A as mined, then B's receipt read fails
    assert journal.get(tx_a).state == "mined"

    reapplied = sample("oracle_tx_outcomes_reapplied_total")
    with pytest.raises(InjectedFault):
        node.tick()  # B's receipt still cannot be read
    assert sample("oracle_tx_outcomes_reapplied_total") == reapplied + 1
    assert store.get(first).state == State.CONFIRMED
    assert store.get(second).state == State.SENT

    provider.clear()
    node.tick()
    assert store.get(second).state == State.CONFIRMED
    assert set(requests.answers()) == {first, second}
