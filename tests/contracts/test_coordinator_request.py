"""OracleCoordinator.requestPrediction: fees, deadlines, ids and the event a node reads."""

import brownie
from eth_abi import encode
from eth_utils import keccak

from oracle.types import Request, input_hash
from tests.helpers import (
    ARTIFACT_HASH,
    CALLBACK_GAS,
    FEATURES,
    FEE_WEI,
    MODEL_ID,
    custom_error,
    hx,
    request_prediction,
)


def test_request_emits_everything_a_node_needs(coordinator, consumer, user, chain):
    request_id, request, tx = request_prediction(consumer, user, chain)
    event = tx.events["PredictionRequested"]
    assert event["modelId"] == hx(MODEL_ID)
    assert event["consumer"] == consumer.address
    assert list(event["features"]) == list(FEATURES)
    assert request == Request(
        MODEL_ID,
        ARTIFACT_HASH,
        input_hash(FEATURES),
        consumer.address,
        FEE_WEI,
        request.deadline,
        CALLBACK_GAS,
    )


def test_request_stores_only_commitment_hash(coordinator, consumer, user, chain):
    request_id, request, _ = request_prediction(consumer, user, chain)
    assert coordinator.commitmentOf(request_id) == hx(
        keccak(encode(["(bytes32,bytes32,bytes32,address,uint96,uint64,uint32)"], [request.as_abi()]))
    )


def test_request_id_binds_chain_and_coordinator(coordinator, consumer, user, chain):
    request_id, _, _ = request_prediction(consumer, user, chain)
    expected = keccak(encode(["uint256", "address", "uint64"], [chain.id, coordinator.address, 1]))
    assert request_id == expected
    assert coordinator.requestCount() == 1


def test_request_ids_are_unique(consumer, user, chain):
    ids = {request_prediction(consumer, user, chain)[0] for _ in range(3)}
    assert len(ids) == 3


def test_request_holds_fee_in_coordinator(coordinator, consumer, user, chain):
    request_prediction(consumer, user, chain)
    assert coordinator.balance() == FEE_WEI


def test_request_reverts_if_model_unknown(coordinator, consumer, user, chain):
    unknown = keccak(text="no such model")
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", unknown)):
        request_prediction(consumer, user, chain, model_id=unknown)


def test_request_reverts_if_model_inactive(coordinator, consumer, owner, user, chain):
    coordinator.setModelActive(MODEL_ID, False, {"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorModelInactive", MODEL_ID)):
        request_prediction(consumer, user, chain)


def test_request_reverts_if_fee_too_low(coordinator, consumer, user, chain):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorFeeTooLow", FEE_WEI, FEE_WEI - 1)):
        request_prediction(consumer, user, chain, fee_wei=FEE_WEI - 1)


def test_request_reverts_if_features_empty(coordinator, consumer, user, chain):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorEmptyFeatures")):
        request_prediction(consumer, user, chain, features=())


def test_request_reverts_if_deadline_passed(coordinator, consumer, user, chain):
    with brownie.reverts(revert_pattern="OracleCoordinatorInvalidDeadline: .*"):
        request_prediction(consumer, user, chain, ttl_seconds=-10)


def test_request_reverts_if_deadline_too_far(coordinator, consumer, user, chain):
    with brownie.reverts(revert_pattern="OracleCoordinatorInvalidDeadline: .*"):
        request_prediction(consumer, user, chain, ttl_seconds=31 * 24 * 3600)


def test_request_reverts_if_callback_gas_too_high(coordinator, consumer, user, chain):
    limit = coordinator.MAX_CALLBACK_GAS_LIMIT()
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorCallbackGasTooHigh", limit + 1, limit)):
        request_prediction(consumer, user, chain, callback_gas=limit + 1)


def test_request_reverts_when_paused(coordinator, consumer, owner, user, chain):
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        request_prediction(consumer, user, chain)


def test_request_resumes_after_unpause(coordinator, consumer, owner, user, chain):
    coordinator.pause({"from": owner})
    coordinator.unpause({"from": owner})
    request_id, _, _ = request_prediction(consumer, user, chain)
    assert coordinator.commitmentOf(request_id) != "0x" + "00" * 32


def test_requests_count_without_changing_threshold_or_pause(coordinator, consumer, owner, user, chain, signer_accounts):
    """The request path writes the config slot (threshold, paused, request nonce) as one word: only the nonce
    moves, and a new threshold is priced and kept."""
    coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    coordinator.setThreshold(2, {"from": owner})
    ids = [request_prediction(consumer, user, chain)[0] for _ in range(3)]

    assert coordinator.requestCount() == 3
    assert coordinator.threshold() == 2
    assert not coordinator.paused()
    assert ids[2] == keccak(encode(["uint256", "address", "uint64"], [chain.id, coordinator.address, 3]))
    coordinator.pause({"from": owner})
    assert coordinator.requestCount() == 3 and coordinator.threshold() == 2
