"""The listener against anvil: batched ranges, confirmations, checkpoints, and rewinding on a reorg."""

import pytest

from oracle.chain.listener import RequestListener
from oracle.store.database import Database
from oracle.store.requests import RequestStore, State
from tests.helpers import FEATURES, request_prediction


@pytest.fixture
def store(tmp_path):
    return RequestStore(Database(tmp_path / "oracle.db"))


def listener_for(web3, coordinator, store, **options):
    return RequestListener(web3, coordinator.address, store, **{"confirmations": 0, **options})


def test_reads_every_request_in_ranges_and_resumes_from_its_checkpoint(web3, coordinator, consumer, user, chain, store):
    start = web3.eth.block_number
    ids = [request_prediction(consumer, user, chain)[0] for _ in range(7)]
    listener = listener_for(web3, coordinator, store, log_range=3, start_block=start)

    result = listener.poll()
    assert result.new_requests == 7
    stored = store.in_state(State.SEEN)
    assert [r.request_id for r in stored] == ids
    assert stored[0].features == FEATURES
    assert store.checkpoint().block_number == web3.eth.block_number

    assert listener.poll().new_requests == 0  # nothing new, nothing read twice
    request_prediction(consumer, user, chain)
    restarted = listener_for(web3, coordinator, store, log_range=3, start_block=start)
    assert restarted.poll().new_requests == 1


def test_waits_for_confirmations(web3, coordinator, consumer, user, chain, store):
    start = web3.eth.block_number
    listener = listener_for(web3, coordinator, store, confirmations=2, start_block=start)
    request_prediction(consumer, user, chain)
    assert listener.poll().new_requests == 0
    chain.mine(2)
    assert listener.poll().new_requests == 1


def test_reorg_forgets_requests_that_are_gone_and_reads_the_new_ones(
    web3, coordinator, consumer, user, chain, store, rpc
):
    start = web3.eth.block_number
    listener = listener_for(web3, coordinator, store, start_block=start)
    snapshot = rpc("evm_snapshot")
    old_id, _, _ = request_prediction(consumer, user, chain, features=(1, 2, 3))
    request_prediction(consumer, user, chain, features=(4, 5, 6))
    assert listener.poll().new_requests == 2

    rpc("evm_revert", snapshot)
    rpc("evm_mine")
    rpc("evm_mine")
    new_id, _, _ = request_prediction(consumer, user, chain, features=(7, 8, 9))
    assert new_id == old_id  # same nonce on the new chain, different request

    result = listener.poll()
    assert result.reorg_from is not None and result.reorg_from <= start + 1
    [request] = store.in_state(State.SEEN)
    assert (request.request_id, request.features) == (new_id, (7, 8, 9))
