"""SupplyChainEscrow: creating and cancelling shipments, settings, pause, and the ether it refuses."""

import brownie
import pytest

from oracle.types import input_hash
from tests.apps.supply.shipments import (
    DELAY_FEATURES,
    DISPUTE_WINDOW_SECONDS,
    LATE_PENALTY_BPS,
    MAX_CONDITION_BPS,
    ORACLE_TTL_SECONDS,
    ORIGIN,
    PRICE,
    SETTINGS,
    Outcome,
    State,
)
from tests.helpers import custom_error, hx, plain

ZERO = brownie.ZERO_ADDRESS


def test_create_escrows_price_and_records_origin(driver, escrow, token, buyer, supplier, carrier):
    before = token.balanceOf(buyer)

    shipment_id, tx = driver.create()

    assert shipment_id == 1
    assert token.balanceOf(escrow) == PRICE
    assert before - token.balanceOf(buyer) == PRICE
    event = tx.events["ShipmentCreated"]
    assert plain(event["terms"]) == plain(list(driver.terms()[:4])) + [
        event["terms"][4],
        MAX_CONDITION_BPS,
        LATE_PENALTY_BPS,
    ]
    assert (event["shipmentId"], event["buyer"], event["supplier"]) == (1, buyer.address, supplier.address)
    assert event["origin"] == ORIGIN
    assert list(event["delayFeatures"]) == list(DELAY_FEATURES)
    stored = escrow.shipment(shipment_id)
    assert stored["buyer"] == buyer.address
    assert stored["supplier"] == supplier.address
    assert stored["carrier"] == carrier.address
    assert stored["token"] == token.address
    assert stored["price"] == PRICE
    assert stored["slaDeadline"] == event["terms"][4]
    assert stored["state"] == State.CREATED
    assert stored["delayFeaturesHash"] == hx(input_hash(DELAY_FEATURES))
    assert stored["checkpointCount"] == 0


def test_create_numbers_shipments_in_order(driver, escrow):
    assert [driver.create()[0] for _ in range(3)] == [1, 2, 3]
    assert escrow.shipmentCount() == 3


@pytest.mark.parametrize("field", ["supplier", "carrier", "token"])
def test_create_reverts_if_address_zero(driver, escrow, field):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroAddress")):
        driver.create(**{field: ZERO})


def test_create_reverts_if_buyer_is_supplier(driver, escrow, buyer):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowBuyerIsSupplier", buyer.address)):
        driver.create(supplier=buyer.address)


def test_create_reverts_if_price_zero(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroPrice")):
        driver.create(price=0)


def test_create_reverts_if_deadline_not_in_future(driver, escrow, chain, web3):
    next_block_time = chain[-1].timestamp + 100
    web3.provider.make_request("evm_setNextBlockTimestamp", [next_block_time])
    expected = custom_error(escrow, "SupplyChainEscrowInvalidDeadline", next_block_time, next_block_time)
    with brownie.reverts(expected):
        driver.create(sla_deadline=next_block_time)


@pytest.mark.parametrize("field", ["max_condition_bps", "late_penalty_bps"])
def test_create_reverts_if_bps_above_10000(driver, escrow, field):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowInvalidBps", 10_001)):
        driver.create(**{field: 10_001})


def test_create_accepts_bps_of_exactly_10000(driver, escrow):
    shipment_id, _ = driver.create(max_condition_bps=10_000, late_penalty_bps=10_000)
    assert escrow.shipment(shipment_id)["latePenaltyBps"] == 10_000


def test_create_reverts_if_origin_empty(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowEmptyOrigin")):
        driver.create(origin="")


def test_create_reverts_if_delay_features_empty(driver, escrow):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowEmptyFeatures")):
        driver.create(delay_features=[])


def test_create_reverts_if_token_takes_a_transfer_fee(driver, escrow, token, owner):
    token.setTransferFeeBps(100, {"from": owner})
    expected = custom_error(escrow, "SupplyChainEscrowTransferShortfall", PRICE, PRICE - PRICE // 100)
    with brownie.reverts(expected):
        driver.create()


def test_create_reverts_without_allowance(driver, escrow, token):
    token.approve(escrow, 0, {"from": driver.buyer})
    with brownie.reverts(custom_error(token, "ERC20InsufficientAllowance", escrow.address, 0, PRICE)):
        driver.create()


def test_create_reverts_while_paused(driver, escrow, owner):
    escrow.pause({"from": owner})
    with brownie.reverts(custom_error(escrow, "EnforcedPause")):
        driver.create()


@pytest.mark.parametrize("who", ["buyer", "supplier"])
def test_cancel_before_dispatch_credits_buyer(driver, escrow, token, who):
    shipment_id, _ = driver.create()
    caller = getattr(driver, who)

    tx = escrow.cancel(shipment_id, {"from": caller})

    assert plain(tx.events["ShipmentCancelled"].values()) == [shipment_id, caller.address]
    assert plain(tx.events["ShipmentSettled"].values()) == [shipment_id, Outcome.CANCELLED, 0, PRICE]
    assert plain(tx.events["PaymentCredited"].values()) == [shipment_id, driver.buyer.address, token.address, PRICE]
    assert len(tx.events["PaymentCredited"]) == 1
    assert escrow.creditOf(token, driver.buyer) == PRICE
    assert escrow.shipment(shipment_id)["state"] == State.SETTLED
    assert escrow.shipment(shipment_id)["outcome"] == Outcome.CANCELLED


def test_cancel_reverts_if_caller_not_buyer_or_supplier(driver, escrow):
    shipment_id, _ = driver.create()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNotParty", shipment_id, driver.carrier.address)):
        escrow.cancel(shipment_id, {"from": driver.carrier})


def test_cancel_reverts_after_dispatch(driver, escrow):
    shipment_id = driver.in_transit()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.IN_TRANSIT)):
        escrow.cancel(shipment_id, {"from": driver.buyer})


def test_cancel_reverts_if_already_cancelled(driver, escrow):
    shipment_id, _ = driver.create()
    escrow.cancel(shipment_id, {"from": driver.buyer})
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.SETTLED)):
        escrow.cancel(shipment_id, {"from": driver.buyer})


def test_cancel_reverts_if_shipment_unknown(escrow, buyer):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 9)):
        escrow.cancel(9, {"from": buyer})


def test_cancel_works_while_paused(driver, escrow, owner):
    shipment_id, _ = driver.create()
    escrow.pause({"from": owner})
    assert "ShipmentCancelled" in escrow.cancel(shipment_id, {"from": driver.buyer}).events


# ---------------------------------------------------------------- deployment and settings


def test_constructor_stores_settings_and_grants_admin(escrow, coordinator, owner):
    assert plain(escrow.settings()) == plain(list(SETTINGS))
    assert escrow.hasRole(escrow.DEFAULT_ADMIN_ROLE(), owner)
    assert escrow.coordinator() == coordinator.address
    assert escrow.CALLBACK_GAS_LIMIT() == 150_000


def test_constructor_reverts_if_admin_zero(SupplyChainEscrow, coordinator, owner):
    with brownie.reverts(custom_error(SupplyChainEscrow, "SupplyChainEscrowZeroAddress")):
        SupplyChainEscrow.deploy(coordinator, ZERO, SETTINGS, {"from": owner})


def test_constructor_reverts_if_coordinator_zero(SupplyChainEscrow, owner):
    with brownie.reverts(custom_error(SupplyChainEscrow, "SupplyChainEscrowZeroAddress")):
        SupplyChainEscrow.deploy(ZERO, owner, SETTINGS, {"from": owner})


def test_set_settings_stores_and_emits(escrow, owner):
    changed = (SETTINGS[1], SETTINGS[0], 9_000, DISPUTE_WINDOW_SECONDS * 2, ORACLE_TTL_SECONDS * 2)
    tx = escrow.setSettings(changed, {"from": owner})
    assert plain(tx.events["SettingsChanged"]["settings"]) == plain(list(changed))
    assert plain(escrow.settings()) == plain(list(changed))


def test_set_settings_reverts_if_not_admin(escrow, buyer):
    expected = custom_error(escrow, "AccessControlUnauthorizedAccount", buyer.address, escrow.DEFAULT_ADMIN_ROLE())
    with brownie.reverts(expected):
        escrow.setSettings(SETTINGS, {"from": buyer})


@pytest.mark.parametrize("index", [0, 1])
def test_set_settings_reverts_if_model_id_zero(escrow, owner, index):
    changed = list(SETTINGS)
    changed[index] = b"\x00" * 32
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroModelId")):
        escrow.setSettings(changed, {"from": owner})


def test_set_settings_reverts_if_alert_bps_above_10000(escrow, owner):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowInvalidBps", 10_001)):
        escrow.setSettings((*SETTINGS[:2], 10_001, *SETTINGS[3:]), {"from": owner})


@pytest.mark.parametrize("index", [3, 4])
def test_set_settings_reverts_if_duration_zero(escrow, owner, index):
    changed = list(SETTINGS)
    changed[index] = 0
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroDuration")):
        escrow.setSettings(changed, {"from": owner})


def test_set_settings_reverts_if_oracle_ttl_above_30_days(escrow, owner):
    too_long = 30 * 86_400 + 1
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowOracleTtlTooLong", too_long, 30 * 86_400)):
        escrow.setSettings((*SETTINGS[:4], too_long), {"from": owner})
    escrow.setSettings((*SETTINGS[:4], 30 * 86_400), {"from": owner})


def test_pause_and_unpause_emit(escrow, owner):
    assert plain(escrow.pause({"from": owner}).events["Paused"].values()) == [owner.address]
    assert escrow.paused()
    assert plain(escrow.unpause({"from": owner}).events["Unpaused"].values()) == [owner.address]
    assert not escrow.paused()


@pytest.mark.parametrize("action", ["pause", "unpause"])
def test_pause_and_unpause_revert_if_not_admin(escrow, buyer, action):
    expected = custom_error(escrow, "AccessControlUnauthorizedAccount", buyer.address, escrow.DEFAULT_ADMIN_ROLE())
    with brownie.reverts(expected):
        getattr(escrow, action)({"from": buyer})


def test_role_grants_are_admin_only(escrow, buyer, carrier):
    expected = custom_error(escrow, "AccessControlUnauthorizedAccount", buyer.address, escrow.DEFAULT_ADMIN_ROLE())
    with brownie.reverts(expected):
        escrow.grantRole(escrow.GATEWAY_ROLE(), carrier, {"from": buyer})


def test_plain_ether_is_refused(escrow, buyer):
    with brownie.reverts(custom_error(escrow, "OracleConsumerUnexpectedEther", buyer.address)):
        buyer.transfer(escrow, 1)


def test_create_cannot_be_reentered_by_the_token(driver, escrow, token):
    reenter = escrow.createShipment.encode_input(driver.terms(), ORIGIN, DELAY_FEATURES)
    token.setTransferHook(escrow, reenter, {"from": driver.buyer})
    with brownie.reverts(custom_error(escrow, "ReentrancyGuardReentrantCall")):
        driver.create()


def test_pause_twice_and_unpause_when_running_revert(escrow, owner):
    with brownie.reverts(custom_error(escrow, "ExpectedPause")):
        escrow.unpause({"from": owner})
    escrow.pause({"from": owner})
    with brownie.reverts(custom_error(escrow, "EnforcedPause")):
        escrow.pause({"from": owner})


def test_admin_grants_roles(escrow, owner, carrier):
    tx = escrow.grantRole(escrow.GATEWAY_ROLE(), carrier, {"from": owner})
    assert plain(tx.events["RoleGranted"].values()) == [hx(escrow.GATEWAY_ROLE()), carrier.address, owner.address]
    assert escrow.hasRole(escrow.GATEWAY_ROLE(), carrier)


def test_deployment_emits_settings(escrow):
    assert plain(escrow.tx.events["SettingsChanged"]["settings"]) == plain(list(SETTINGS))
