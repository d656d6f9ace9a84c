"""SupplyChainEscrow: condition answers -> proposed outcome -> dispute window -> finalize or arbiter."""

import brownie
import pytest

from oracle.types import Status
from tests.apps.supply.shipments import (
    CONDITION_FEE_WEI,
    DISPUTE_WINDOW_SECONDS,
    LATE_PENALTY_BPS,
    MAX_CONDITION_BPS,
    PRICE,
    SLA_SECONDS,
    Outcome,
    State,
    requested,
)
from tests.helpers import after_deadline, custom_error, hx, plain

PENALTY = PRICE * LATE_PENALTY_BPS // 10_000


def credits(escrow, token, *accounts):
    return [int(escrow.creditOf(token, a)) for a in accounts]


# ---------------------------------------------------------------- the three outcomes


def test_on_time_and_clean_releases_price_to_supplier(driver, escrow, token):
    shipment_id, tx = driver.delivered(MAX_CONDITION_BPS - 1)

    assert "CallbackFailed" not in tx.events
    assert plain(tx.events["ConditionAssessed"].values()) == [shipment_id, MAX_CONDITION_BPS - 1, MAX_CONDITION_BPS]
    ends_at = tx.timestamp + DISPUTE_WINDOW_SECONDS
    assert plain(tx.events["OutcomeProposed"].values()) == [shipment_id, Outcome.RELEASED, PRICE, 0, ends_at]
    stored = escrow.shipment(shipment_id)
    assert (stored["state"], stored["outcome"], stored["conditionBps"]) == (
        State.PROPOSED,
        Outcome.RELEASED,
        MAX_CONDITION_BPS - 1,
    )
    assert stored["disputeEndsAt"] == ends_at
    assert credits(escrow, token, driver.supplier, driver.buyer) == [0, 0]

    driver.past_dispute_window(shipment_id)
    settled = escrow.finalize(shipment_id, {"from": driver.relayer})

    assert plain(settled.events["ShipmentSettled"].values()) == [shipment_id, Outcome.RELEASED, PRICE, 0]
    assert plain(settled.events["PaymentCredited"].values()) == [
        shipment_id,
        driver.supplier.address,
        token.address,
        PRICE,
    ]
    assert credits(escrow, token, driver.supplier, driver.buyer) == [PRICE, 0]
    assert escrow.shipment(shipment_id)["state"] == State.SETTLED


def test_condition_equal_to_maximum_is_clean(driver, escrow):
    shipment_id, tx = driver.delivered(MAX_CONDITION_BPS)
    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.RELEASED


def test_late_and_clean_splits_penalty_to_buyer(driver, escrow, token):
    shipment_id, tx = driver.delivered(1_000, late=True)

    assert "CallbackFailed" not in tx.events
    proposed = tx.events["OutcomeProposed"]
    assert plain([proposed["outcome"], proposed["supplierAmount"], proposed["buyerAmount"]]) == [
        Outcome.LATE_PENALTY,
        PRICE - PENALTY,
        PENALTY,
    ]
    driver.past_dispute_window(shipment_id)
    settled = escrow.finalize(shipment_id, {"from": driver.relayer})

    assert plain(settled.events["ShipmentSettled"].values()) == [
        shipment_id,
        Outcome.LATE_PENALTY,
        PRICE - PENALTY,
        PENALTY,
    ]
    assert len(settled.events["PaymentCredited"]) == 2
    assert credits(escrow, token, driver.supplier, driver.buyer) == [PRICE - PENALTY, PENALTY]


def test_delivery_at_the_sla_deadline_is_on_time(driver, escrow, chain, web3):
    shipment_id = driver.in_transit()
    web3.provider.make_request("evm_setNextBlockTimestamp", [escrow.shipment(shipment_id)["slaDeadline"]])
    tx = driver.answer(driver.deliver(shipment_id), 0)
    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.RELEASED


def test_spoiled_is_held_then_disputed_and_arbitrated(driver, escrow, token, arbiter):
    shipment_id, tx = driver.delivered(MAX_CONDITION_BPS + 1)

    assert "CallbackFailed" not in tx.events
    assert plain(tx.events["ConditionAssessed"].values()) == [shipment_id, MAX_CONDITION_BPS + 1, MAX_CONDITION_BPS]
    proposed = tx.events["OutcomeProposed"]
    assert plain([proposed["outcome"], proposed["supplierAmount"], proposed["buyerAmount"]]) == [
        Outcome.SPOILED,
        0,
        PRICE,
    ]
    assert token.balanceOf(escrow) == PRICE

    disputed = escrow.dispute(shipment_id, "sensor fault at the border", {"from": driver.supplier})
    assert plain(disputed.events["ShipmentDisputed"].values()) == [
        shipment_id,
        driver.supplier.address,
        "sensor fault at the border",
    ]
    assert escrow.shipment(shipment_id)["state"] == State.DISPUTED
    driver.past_dispute_window(shipment_id)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.DISPUTED)):
        escrow.finalize(shipment_id, {"from": driver.relayer})

    resolved = escrow.resolveDispute(shipment_id, 3_000, {"from": arbiter})

    supplier_share = PRICE * 3_000 // 10_000
    assert plain(resolved.events["DisputeResolved"].values()) == [shipment_id, arbiter.address, 3_000]
    assert plain(resolved.events["ShipmentSettled"].values()) == [
        shipment_id,
        Outcome.ARBITRATED,
        supplier_share,
        PRICE - supplier_share,
    ]
    assert credits(escrow, token, driver.supplier, driver.buyer) == [supplier_share, PRICE - supplier_share]
    assert escrow.shipment(shipment_id)["outcome"] == Outcome.ARBITRATED


def test_spoiled_and_late_is_spoiled(driver):
    _, tx = driver.delivered(MAX_CONDITION_BPS + 1, late=True)
    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.SPOILED


def test_spoiled_undisputed_refunds_buyer(driver, escrow, token):
    shipment_id, _ = driver.delivered(10_000)
    driver.past_dispute_window(shipment_id)
    settled = escrow.finalize(shipment_id, {"from": driver.relayer})
    assert plain(settled.events["ShipmentSettled"].values()) == [shipment_id, Outcome.SPOILED, 0, PRICE]
    assert credits(escrow, token, driver.supplier, driver.buyer) == [0, PRICE]


# ---------------------------------------------------------------- no usable answer: refund


@pytest.mark.parametrize(
    "status, value", [(Status.INVALID_INPUT, 0), (Status.MODEL_ERROR, 0), (Status.OK, 10_001), (Status.OK, -5)]
)
def test_no_usable_condition_answer_proposes_refund(driver, escrow, token, status, value):
    shipment_id = driver.in_transit()

    tx = driver.answer(driver.deliver(shipment_id), value, status)

    assert "CallbackFailed" not in tx.events
    assert plain(tx.events["ConditionUnavailable"].values()) == [shipment_id, status, value]
    assert "ConditionAssessed" not in tx.events
    proposed = tx.events["OutcomeProposed"]
    assert plain([proposed["outcome"], proposed["supplierAmount"], proposed["buyerAmount"]]) == [
        Outcome.ORACLE_FAILED,
        0,
        PRICE,
    ]
    driver.past_dispute_window(shipment_id)
    escrow.finalize(shipment_id, {"from": driver.relayer})
    assert credits(escrow, token, driver.supplier, driver.buyer) == [0, PRICE]
    assert escrow.feeRefundOf(driver.carrier) == 0


def test_expired_condition_request_refunds_buyer_and_fee(driver, escrow, token, coordinator):
    shipment_id = driver.in_transit()
    deliver_tx = driver.deliver(shipment_id)

    tx = driver.expire(deliver_tx)

    request_id, _ = requested(deliver_tx)
    assert "CallbackFailed" not in tx.events
    assert plain(tx.events["ConditionUnavailable"].values()) == [shipment_id, Status.EXPIRED, 0]
    assert plain(tx.events["OracleFeeRefundCredited"].values()) == [
        hx(request_id),
        driver.carrier.address,
        CONDITION_FEE_WEI,
    ]
    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.ORACLE_FAILED
    assert escrow.feeRefundOf(driver.carrier) == CONDITION_FEE_WEI
    assert coordinator.balanceOf(escrow) == CONDITION_FEE_WEI

    driver.past_dispute_window(shipment_id)
    settled = escrow.finalize(shipment_id, {"from": driver.relayer})

    assert plain(settled.events["ShipmentSettled"].values()) == [shipment_id, Outcome.ORACLE_FAILED, 0, PRICE]
    assert credits(escrow, token, driver.supplier, driver.buyer) == [0, PRICE]


# ---------------------------------------------------------------- finalize


def test_finalize_reverts_while_window_open(driver, escrow):
    shipment_id, tx = driver.delivered(0)
    ends_at = tx.events["OutcomeProposed"]["disputeEndsAt"]
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowDisputeWindowOpen", shipment_id, ends_at)):
        escrow.finalize(shipment_id, {"from": driver.relayer})


def test_finalize_reverts_if_nothing_proposed(driver, escrow):
    shipment_id = driver.in_transit()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.IN_TRANSIT)):
        escrow.finalize(shipment_id, {"from": driver.relayer})


def test_finalize_reverts_if_already_settled(driver, escrow):
    shipment_id, _ = driver.delivered(0)
    driver.past_dispute_window(shipment_id)
    escrow.finalize(shipment_id, {"from": driver.relayer})
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.SETTLED)):
        escrow.finalize(shipment_id, {"from": driver.relayer})


def test_finalize_reverts_if_shipment_unknown(escrow, relayer):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 7)):
        escrow.finalize(7, {"from": relayer})


# ---------------------------------------------------------------- dispute


def test_buyer_disputes_release_and_arbiter_sides_with_supplier(driver, escrow, token, arbiter):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "goods bruised", {"from": driver.buyer})
    escrow.resolveDispute(shipment_id, 10_000, {"from": arbiter})
    assert credits(escrow, token, driver.supplier, driver.buyer) == [PRICE, 0]


def test_dispute_on_the_last_second_of_the_window(driver, escrow, web3):
    shipment_id, tx = driver.delivered(0)
    web3.provider.make_request("evm_setNextBlockTimestamp", [tx.events["OutcomeProposed"]["disputeEndsAt"]])
    assert "ShipmentDisputed" in escrow.dispute(shipment_id, "", {"from": driver.buyer}).events


def test_dispute_reverts_after_window(driver, escrow):
    shipment_id, tx = driver.delivered(0)
    ends_at = tx.events["OutcomeProposed"]["disputeEndsAt"]
    driver.past_dispute_window(shipment_id)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowDisputeWindowClosed", shipment_id, ends_at)):
        escrow.dispute(shipment_id, "too late", {"from": driver.buyer})


def test_dispute_reverts_if_caller_not_buyer_or_supplier(driver, escrow):
    shipment_id, _ = driver.delivered(0)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNotParty", shipment_id, driver.carrier.address)):
        escrow.dispute(shipment_id, "", {"from": driver.carrier})


def test_dispute_reverts_twice(driver, escrow):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "", {"from": driver.buyer})
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.DISPUTED)):
        escrow.dispute(shipment_id, "", {"from": driver.supplier})


@pytest.mark.parametrize("stage", ["created", "awaiting condition", "settled"])
def test_dispute_reverts_outside_proposal_or_transit(driver, escrow, stage):
    if stage == "created":
        shipment_id, _ = driver.create()
        state = State.CREATED
    elif stage == "awaiting condition":
        shipment_id = driver.in_transit()
        driver.deliver(shipment_id)
        state = State.AWAITING_CONDITION
    else:
        shipment_id, _ = driver.delivered(0)
        driver.past_dispute_window(shipment_id)
        escrow.finalize(shipment_id, {"from": driver.relayer})
        state = State.SETTLED
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, state)):
        escrow.dispute(shipment_id, "", {"from": driver.buyer})


def test_dispute_reverts_if_shipment_unknown(escrow, buyer):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 6)):
        escrow.dispute(6, "", {"from": buyer})


def test_overdue_shipment_in_transit_can_be_disputed(driver, escrow, token, arbiter, chain):
    shipment_id = driver.in_transit()
    overdue_at = escrow.shipment(shipment_id)["slaDeadline"] + DISPUTE_WINDOW_SECONDS
    after_deadline(chain, overdue_at)

    tx = escrow.dispute(shipment_id, "never arrived", {"from": driver.buyer})

    assert plain(tx.events["ShipmentDisputed"].values()) == [shipment_id, driver.buyer.address, "never arrived"]
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.DISPUTED)):
        driver.deliver(shipment_id)
    escrow.resolveDispute(shipment_id, 0, {"from": arbiter})
    assert credits(escrow, token, driver.supplier, driver.buyer) == [0, PRICE]


def test_shipment_in_transit_cannot_be_disputed_before_overdue(driver, escrow, chain):
    shipment_id = driver.in_transit()
    overdue_at = escrow.shipment(shipment_id)["slaDeadline"] + DISPUTE_WINDOW_SECONDS
    chain.sleep(SLA_SECONDS + 1)
    chain.mine()
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNotOverdue", shipment_id, overdue_at)):
        escrow.dispute(shipment_id, "", {"from": driver.supplier})


# ---------------------------------------------------------------- resolve


def test_resolve_reverts_if_caller_not_arbiter(driver, escrow):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "", {"from": driver.buyer})
    expected = custom_error(escrow, "AccessControlUnauthorizedAccount", driver.buyer.address, escrow.ARBITER_ROLE())
    with brownie.reverts(expected):
        escrow.resolveDispute(shipment_id, 0, {"from": driver.buyer})


def test_resolve_reverts_if_arbiter_is_a_party(driver, escrow, owner):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "", {"from": driver.buyer})
    escrow.grantRole(escrow.ARBITER_ROLE(), driver.supplier, {"from": owner})
    expected = custom_error(escrow, "SupplyChainEscrowArbiterIsParty", shipment_id, driver.supplier.address)
    with brownie.reverts(expected):
        escrow.resolveDispute(shipment_id, 10_000, {"from": driver.supplier})


def test_resolve_reverts_if_bps_above_10000(driver, escrow, arbiter):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "", {"from": driver.buyer})
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowInvalidBps", 10_001)):
        escrow.resolveDispute(shipment_id, 10_001, {"from": arbiter})


def test_resolve_reverts_if_not_disputed(driver, escrow, arbiter):
    shipment_id, _ = driver.delivered(0)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.PROPOSED)):
        escrow.resolveDispute(shipment_id, 5_000, {"from": arbiter})


def test_resolve_reverts_twice(driver, escrow, arbiter):
    shipment_id, _ = driver.delivered(0)
    escrow.dispute(shipment_id, "", {"from": driver.buyer})
    escrow.resolveDispute(shipment_id, 5_000, {"from": arbiter})
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.SETTLED)):
        escrow.resolveDispute(shipment_id, 5_000, {"from": arbiter})


def test_resolve_reverts_if_shipment_unknown(escrow, arbiter):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowUnknownShipment", 8)):
        escrow.resolveDispute(8, 0, {"from": arbiter})


def test_pause_does_not_make_a_delivery_late(driver, escrow, owner, chain):
    """The carrier cannot deliver while the escrow is paused: the escrow's clock stands still meanwhile, so a
    delivery right after a pause that outlasted the SLA deadline is on time."""
    shipment_id = driver.in_transit()
    deadline = escrow.shipment(shipment_id)["slaDeadline"]
    escrow.pause({"from": owner})
    after_deadline(chain, deadline + 86_400)  # paused across the deadline and a day beyond
    frozen = escrow.escrowTime()
    chain.sleep(3_600)
    chain.mine()
    assert escrow.escrowTime() == frozen
    escrow.unpause({"from": owner})
    assert escrow.escrowTime() < deadline

    tx = driver.answer(driver.deliver(shipment_id), 0)

    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.RELEASED
    assert escrow.shipment(shipment_id)["deliveredAt"] <= deadline


def test_pause_does_not_let_an_in_transit_shipment_be_disputed_as_overdue(driver, escrow, owner, chain):
    shipment_id = driver.in_transit()
    overdue_at = escrow.shipment(shipment_id)["slaDeadline"] + DISPUTE_WINDOW_SECONDS
    escrow.pause({"from": owner})
    after_deadline(chain, overdue_at)
    with brownie.reverts(revert_pattern="SupplyChainEscrowNotOverdue: .*"):
        escrow.dispute(shipment_id, "never arrived", {"from": driver.buyer})


def test_time_paused_before_a_shipment_is_created_does_not_move_its_deadline(driver, escrow, owner, chain):
    escrow.pause({"from": owner})
    chain.sleep(86_400)
    escrow.unpause({"from": owner})
    shipment_id, _ = driver.create()
    driver.checkpoint(shipment_id)
    driver.answer(driver.dispatch(shipment_id), 2_000)
    after_deadline(chain, chain[-1].timestamp + SLA_SECONDS)  # past the buyer's SLA deadline in unix time
    tx = driver.answer(driver.deliver(shipment_id), 0)
    assert tx.events["OutcomeProposed"]["outcome"] == Outcome.LATE_PENALTY
