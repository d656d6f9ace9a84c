"""SupplyChainEscrow: dispatch with its delay-risk prediction, gateway checkpoints, delivery."""

import brownie
import pytest

from oracle.types import Status, input_hash
from tests.apps.supply.shipments import (
    CONDITION_FEE_WEI,
    CONDITION_MODEL_ID,
    DELAY_ALERT_BPS,
    DELAY_FEATURES,
    DELAY_FEE_WEI,
    DELAY_MODEL_ID,
    ORACLE_TTL_SECONDS,
    SENSOR_FEATURES,
    State,
    raw_data_hash,
    requested,
)
from tests.helpers import custom_error, hx, plain

OTHER_SENSOR_FEATURES = (5_000, 0, 10, 1, 2, 3, 4, 5)


# ---------------------------------------------------------------- dispatch


def test_dispatch_hands_custody_to_carrier_and_requests_delay_risk(driver, escrow, coordinator, chain):
    shipment_id, _ = driver.create()

    tx = driver.dispatch(shipment_id)

    request_id, request = requested(tx)
    assert plain(tx.events["CustodyTransferred"].values()) == [
        shipment_id,
        driver.supplier.address,
        driver.carrier.address,
    ]
    assert plain(tx.events["DelayRiskRequested"].values()) == [shipment_id, hx(request_id)]
    assert list(tx.events["PredictionRequested"]["features"]) == list(DELAY_FEATURES)
    assert request.model_id == DELAY_MODEL_ID
    assert request.consumer == escrow.address
    assert request.fee_wei == DELAY_FEE_WEI
    assert request.callback_gas_limit == escrow.CALLBACK_GAS_LIMIT()
    assert request.deadline == tx.timestamp + ORACLE_TTL_SECONDS
    assert escrow.shipment(shipment_id)["state"] == State.IN_TRANSIT
    assert coordinator.balance() == DELAY_FEE_WEI


def test_dispatch_reverts_if_caller_not_supplier(driver, escrow):
    shipment_id, _ = driver.create()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNotSupplier", shipment_id, driver.carrier.address)):
        escrow.dispatch(shipment_id, DELAY_FEATURES, {"from": driver.carrier, "value": DELAY_FEE_WEI})


def test_dispatch_reverts_if_features_differ_from_creation(driver, escrow):
    shipment_id, _ = driver.create()
    changed = (*DELAY_FEATURES[:-1], DELAY_FEATURES[-1] + 1)
    expected = custom_error(
        escrow, "SupplyChainEscrowFeaturesMismatch", shipment_id, input_hash(DELAY_FEATURES), input_hash(changed)
    )
    with brownie.reverts(expected):
        driver.dispatch(shipment_id, changed)


@pytest.mark.parametrize("paid", [0, DELAY_FEE_WEI - 1])
def test_dispatch_reverts_unless_paying_the_model_fee(driver, coordinator, paid):
    shipment_id, _ = driver.create()
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorFeeTooLow", DELAY_FEE_WEI, paid)):
        driver.dispatch(shipment_id, value=paid)


def test_dispatch_reverts_if_already_dispatched(driver, escrow):
    shipment_id = driver.in_transit()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.IN_TRANSIT)):
        driver.dispatch(shipment_id)


def test_dispatch_reverts_if_shipment_unknown(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 4)):
        driver.dispatch(4)


def test_dispatch_reverts_while_paused(driver, escrow, owner):
    shipment_id, _ = driver.create()
    escrow.pause({"from": owner})
    with brownie.reverts(custom_error(escrow, "EnforcedPause")):
        driver.dispatch(shipment_id)


def test_dispatch_reverts_if_delay_model_inactive(driver, coordinator, owner):
    shipment_id, _ = driver.create()
    coordinator.setModelActive(DELAY_MODEL_ID, False, {"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorModelInactive", DELAY_MODEL_ID)):
        driver.dispatch(shipment_id)


# ---------------------------------------------------------------- delay-risk answers (advisory)


def test_delay_risk_below_threshold_is_recorded_without_alert(driver):
    shipment_id, _ = driver.create()

    tx = driver.answer(driver.dispatch(shipment_id), DELAY_ALERT_BPS)

    assert plain(tx.events["DelayRiskAssessed"].values()) == [shipment_id, DELAY_ALERT_BPS]
    assert "DelayRiskAlert" not in tx.events
    assert "CallbackFailed" not in tx.events


def test_delay_risk_above_threshold_raises_alert(driver, escrow):
    shipment_id, _ = driver.create()

    tx = driver.answer(driver.dispatch(shipment_id), DELAY_ALERT_BPS + 1)

    assert plain(tx.events["DelayRiskAssessed"].values()) == [shipment_id, DELAY_ALERT_BPS + 1]
    assert plain(tx.events["DelayRiskAlert"].values()) == [shipment_id, DELAY_ALERT_BPS + 1, DELAY_ALERT_BPS]
    assert escrow.shipment(shipment_id)["state"] == State.IN_TRANSIT


@pytest.mark.parametrize(
    "status, value", [(Status.INVALID_INPUT, 0), (Status.MODEL_ERROR, 0), (Status.OK, 10_001), (Status.OK, -1)]
)
def test_delay_risk_without_usable_answer_is_recorded(driver, escrow, status, value):
    shipment_id, _ = driver.create()

    tx = driver.answer(driver.dispatch(shipment_id), value, status)

    assert plain(tx.events["DelayRiskUnavailable"].values()) == [shipment_id, status, value]
    assert "DelayRiskAssessed" not in tx.events
    assert "CallbackFailed" not in tx.events
    assert escrow.shipment(shipment_id)["state"] == State.IN_TRANSIT


def test_delay_risk_expired_is_recorded_and_fee_refund_credited_to_supplier(driver, escrow):
    shipment_id, _ = driver.create()
    dispatch_tx = driver.dispatch(shipment_id)

    tx = driver.expire(dispatch_tx)

    request_id, _ = requested(dispatch_tx)
    assert plain(tx.events["DelayRiskUnavailable"].values()) == [shipment_id, Status.EXPIRED, 0]
    assert plain(tx.events["OracleFeeRefundCredited"].values()) == [
        hx(request_id),
        driver.supplier.address,
        DELAY_FEE_WEI,
    ]
    assert "CallbackFailed" not in tx.events
    assert escrow.feeRefundOf(driver.supplier) == DELAY_FEE_WEI
    assert escrow.shipment(shipment_id)["state"] == State.IN_TRANSIT


def test_delay_risk_arriving_after_delivery_is_still_recorded(driver, escrow):
    shipment_id, _ = driver.create()
    driver.checkpoint(shipment_id)
    dispatch_tx = driver.dispatch(shipment_id)
    driver.deliver(shipment_id)

    tx = driver.answer(dispatch_tx, 100)

    assert plain(tx.events["DelayRiskAssessed"].values()) == [shipment_id, 100]
    assert escrow.shipment(shipment_id)["state"] == State.AWAITING_CONDITION


# ---------------------------------------------------------------- checkpoints


def test_checkpoint_records_location_raw_hash_and_features(driver, escrow):
    shipment_id, _ = driver.create()

    first = driver.checkpoint(shipment_id, location="Uruapan MX")
    second = driver.checkpoint(shipment_id, OTHER_SENSOR_FEATURES, location="Laredo TX")

    event = first.events["CheckpointRecorded"]
    assert (event["shipmentId"], event["index"], event["gateway"]) == (shipment_id, 0, driver.gateway.address)
    assert event["location"] == "Uruapan MX"
    assert event["rawDataHash"] == hx(raw_data_hash(f"shipment {shipment_id} at Uruapan MX: {list(SENSOR_FEATURES)}"))
    assert list(event["features"]) == list(SENSOR_FEATURES)
    assert second.events["CheckpointRecorded"]["index"] == 1
    stored = escrow.shipment(shipment_id)
    assert stored["checkpointCount"] == 2
    assert stored["conditionFeaturesHash"] == hx(input_hash(OTHER_SENSOR_FEATURES))


def test_checkpoint_allowed_in_transit(driver, escrow):
    shipment_id = driver.in_transit()
    assert driver.checkpoint(shipment_id).events["CheckpointRecorded"]["index"] == 1


def test_checkpoint_reverts_if_caller_not_gateway(driver, escrow):
    shipment_id, _ = driver.create()
    expected = custom_error(escrow, "AccessControlUnauthorizedAccount", driver.carrier.address, escrow.GATEWAY_ROLE())
    with brownie.reverts(expected):
        escrow.recordCheckpoint(shipment_id, "x", b"\x01" * 32, SENSOR_FEATURES, {"from": driver.carrier})


def test_checkpoint_reverts_if_shipment_unknown(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 3)):
        driver.checkpoint(3)


def test_checkpoint_reverts_after_delivery(driver, escrow):
    shipment_id = driver.in_transit()
    driver.deliver(shipment_id)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.AWAITING_CONDITION)):
        driver.checkpoint(shipment_id)


def test_checkpoint_reverts_if_raw_data_hash_zero(driver, escrow):
    shipment_id, _ = driver.create()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroRawDataHash")):
        escrow.recordCheckpoint(shipment_id, "x", b"\x00" * 32, SENSOR_FEATURES, {"from": driver.gateway})


def test_checkpoint_reverts_if_features_empty(driver, escrow):
    shipment_id, _ = driver.create()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowEmptyFeatures")):
        driver.checkpoint(shipment_id, [])


def test_checkpoint_works_while_paused(driver, escrow, owner):
    shipment_id, _ = driver.create()
    escrow.pause({"from": owner})
    assert "CheckpointRecorded" in driver.checkpoint(shipment_id).events


# ---------------------------------------------------------------- delivery


def test_deliver_hands_custody_to_buyer_and_requests_condition_on_latest_checkpoint(driver, escrow):
    shipment_id = driver.in_transit()
    driver.checkpoint(shipment_id, OTHER_SENSOR_FEATURES)

    tx = driver.deliver(shipment_id, OTHER_SENSOR_FEATURES)

    request_id, request = requested(tx)
    assert plain(tx.events["CustodyTransferred"].values()) == [
        shipment_id,
        driver.carrier.address,
        driver.buyer.address,
    ]
    assert plain(tx.events["ConditionRequested"].values()) == [shipment_id, hx(request_id), 1]
    assert list(tx.events["PredictionRequested"]["features"]) == list(OTHER_SENSOR_FEATURES)
    assert request.model_id == CONDITION_MODEL_ID
    assert request.fee_wei == CONDITION_FEE_WEI
    stored = escrow.shipment(shipment_id)
    assert stored["state"] == State.AWAITING_CONDITION
    assert stored["deliveredAt"] == tx.timestamp


def test_deliver_reverts_if_features_are_not_the_latest_checkpoint(driver, escrow):
    shipment_id = driver.in_transit()
    driver.checkpoint(shipment_id, OTHER_SENSOR_FEATURES)
    expected = custom_error(
        escrow,
        "SupplyChainEscrowFeaturesMismatch",
        shipment_id,
        input_hash(OTHER_SENSOR_FEATURES),
        input_hash(SENSOR_FEATURES),
    )
    with brownie.reverts(expected):
        driver.deliver(shipment_id, SENSOR_FEATURES)


def test_deliver_reverts_without_checkpoint(driver, escrow):
    shipment_id, _ = driver.create()
    driver.dispatch(shipment_id)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNoCheckpoint", shipment_id)):
        driver.deliver(shipment_id)


def test_deliver_reverts_if_caller_not_carrier(driver, escrow):
    shipment_id = driver.in_transit()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNotCarrier", shipment_id, driver.buyer.address)):
        escrow.deliver(shipment_id, SENSOR_FEATURES, {"from": driver.buyer, "value": CONDITION_FEE_WEI})


def test_deliver_reverts_before_dispatch(driver, escrow):
    shipment_id, _ = driver.create()
    driver.checkpoint(shipment_id)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.CREATED)):
        driver.deliver(shipment_id)


def test_deliver_reverts_unless_paying_the_model_fee(driver, coordinator):
    shipment_id = driver.in_transit()
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorFeeTooLow", CONDITION_FEE_WEI, DELAY_FEE_WEI)):
        driver.deliver(shipment_id, value=DELAY_FEE_WEI)


def test_deliver_reverts_while_paused(driver, escrow, owner):
    shipment_id = driver.in_transit()
    escrow.pause({"from": owner})
    with brownie.reverts(custom_error(escrow, "EnforcedPause")):
        driver.deliver(shipment_id)


def test_deliver_reverts_if_shipment_unknown(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 5)):
        driver.deliver(5)


def test_callback_from_anyone_but_coordinator_reverts(escrow, buyer):
    expected = custom_error(escrow, "OracleConsumerOnlyCoordinator", buyer.address)
    with brownie.reverts(expected):
        escrow.onPrediction(b"\x01" * 32, Status.OK, 0, {"from": buyer})
