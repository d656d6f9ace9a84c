"""The listener against anvil: batched ranges, confirmations, checkpoints, and rewinding on a reorg."""

import pytest

from oracle.chain.listener import RequestListener
from oracle.store.database import Database
from oracle.store.requests import RequestStore, State
from tests.faults.metrics import sample
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
    assert store.checkpoints.get().block_number == web3.eth.block_number

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


def test_reorg_deeper_than_the_depth_rescans_from_the_last_block_both_chains_agree_on(
    web3, coordinator, consumer, user, owner, chain, store, rpc, caplog
):
    start = web3.eth.block_number
    listener = listener_for(web3, coordinator, store, start_block=start, reorg_depth=3)
    kept_id, _, _ = request_prediction(consumer, user, chain, features=(1, 2, 3))
    agreed = web3.eth.block_number  # holds a request, and is on both chains
    snapshot = rpc("evm_snapshot")
    lost_id, _, _ = request_prediction(consumer, user, chain, features=(4, 5, 6))
    for _ in range(8):  # the listener follows block by block, keeping hashes of the last 3 only
        listener.poll()
        rpc("evm_mine")
    assert listener.poll().reorg_from is None

    rpc("evm_revert", snapshot)  # 9 blocks replaced: deeper than the 3 the listener tracks
    for _ in range(3):
        rpc("evm_mine")
    # (from another account: brownie's history still holds the user's reverted transaction)
    new_id, _, _ = request_prediction(consumer, owner, chain, features=(7, 8, 9))
    assert new_id == lost_id  # same nonce on the new chain, different request
    deep_reorgs = sample("oracle_reorgs_total", beyond_depth="true")

    result = listener.poll()

    assert result.reorg_from == agreed + 1
    stored = {r.request_id: r.features for r in store.in_state(State.SEEN)}
    assert stored == {kept_id: (1, 2, 3), new_id: (7, 8, 9)}
    assert sample("oracle_reorgs_total", beyond_depth="true") == deep_reorgs + 1
    assert sample("oracle_reorg_fork_block") == agreed + 1
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "reorg deeper than REORG_DEPTH (3 blocks)" in error.getMessage()
    assert f"Both chains agree up to block {agreed} " in error.getMessage()
    assert f"blocks from {agreed + 1} on are read again" in error.getMessage()
