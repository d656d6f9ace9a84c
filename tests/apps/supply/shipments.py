"""Shortcuts for driving SupplyChainEscrow through its life, with answers signed by a test oracle key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from oracle.types import Request, Status, model_id
from tests.helpers import after_deadline, signed_report

CONDITION_MODEL_ID = model_id("shipment-condition")
DELAY_MODEL_ID = model_id("delivery-delay")
CONDITION_FEE_WEI = 2 * 10**15
DELAY_FEE_WEI = 10**15

PRICE = 1_000 * 10**18
MAX_CONDITION_BPS = 7_000
LATE_PENALTY_BPS = 1_500
SLA_SECONDS = 2 * 86_400
DELAY_ALERT_BPS = 6_000
DISPUTE_WINDOW_SECONDS = 3 * 86_400
ORACLE_TTL_SECONDS = 3_600
SETTINGS = (CONDITION_MODEL_ID, DELAY_MODEL_ID, DELAY_ALERT_BPS, DISPUTE_WINDOW_SECONDS, ORACLE_TTL_SECONDS)

ORIGIN = "Hass avocados, packhouse 7, Uruapan MX"
# Delay model: carrier, origin, destination, distance (miles), scheduled departure (hhmm), month.
DELAY_FEATURES = (4, 1, 27, 1_089, 1_530, 7)
# Condition model: summary of a sensor window (means, spreads, extremes), fixed-point.
SENSOR_FEATURES = (4_312, -1_250, 88, 0, 7_900, 31, -4, 120)


class State:
    NONE, CREATED, IN_TRANSIT, AWAITING_CONDITION, PROPOSED, DISPUTED, SETTLED = range(7)


class Outcome:
    NONE, RELEASED, LATE_PENALTY, SPOILED, ORACLE_FAILED, CANCELLED, ARBITRATED = range(7)


def raw_data_hash(log: str) -> bytes:
    """sha256 of a sensor log kept off chain."""
    return hashlib.sha256(log.encode()).digest()


def requested(tx) -> tuple[bytes, Request]:
    """(requestId, committed Request) of the coordinator request made inside `tx`."""
    event = tx.events["PredictionRequested"]
    return bytes(event["requestId"]), Request.from_abi(event["request"])


@dataclass
class EscrowDriver:
    """Everyone involved in a shipment, and one call per step of its life."""

    escrow: object
    token: object
    coordinator: object
    signer: object
    relayer: object
    chain: object
    buyer: object
    supplier: object
    carrier: object
    gateway: object
    arbiter: object

    def terms(self, sla_seconds: int = SLA_SECONDS, **changes) -> tuple:
        fields = {
            "supplier": self.supplier.address,
            "carrier": self.carrier.address,
            "token": self.token.address,
            "price": PRICE,
            "sla_deadline": self.chain[-1].timestamp + sla_seconds,
            "max_condition_bps": MAX_CONDITION_BPS,
            "late_penalty_bps": LATE_PENALTY_BPS,
        } | changes
        return tuple(fields.values())

    def create(
        self, sla_seconds: int = SLA_SECONDS, delay_features: Sequence[int] = DELAY_FEATURES, origin=ORIGIN, **changes
    ) -> tuple[int, object]:
        tx = self.escrow.createShipment(
            self.terms(sla_seconds, **changes), origin, list(delay_features), {"from": self.buyer}
        )
        return int(tx.return_value), tx

    def checkpoint(self, shipment_id: int, features: Sequence[int] = SENSOR_FEATURES, location="Laredo TX"):
        log = f"shipment {shipment_id} at {location}: {list(features)}"
        return self.escrow.recordCheckpoint(
            shipment_id, location, raw_data_hash(log), list(features), {"from": self.gateway}
        )

    def dispatch(self, shipment_id: int, features: Sequence[int] = DELAY_FEATURES, value: int = DELAY_FEE_WEI):
        return self.escrow.dispatch(shipment_id, list(features), {"from": self.supplier, "value": value})

    def deliver(self, shipment_id: int, features: Sequence[int] = SENSOR_FEATURES, value: int = CONDITION_FEE_WEI):
        return self.escrow.deliver(shipment_id, list(features), {"from": self.carrier, "value": value})

    def answer(self, request_tx, value: int, status: Status = Status.OK):
        """Fulfils the request made in `request_tx` through the coordinator with a signed report."""
        request_id, request = requested(request_tx)
        report, signatures = signed_report([self.signer], request_id, request, [value], status)
        return self.coordinator.fulfill(report, signatures, {"from": self.relayer})

    def expire(self, request_tx):
        """Lets the request made in `request_tx` pass its deadline and cancels it (status EXPIRED)."""
        request_id, request = requested(request_tx)
        after_deadline(self.chain, request.deadline)
        return self.coordinator.cancel(request_id, request.as_abi(), {"from": self.relayer})

    def in_transit(self, delay_risk_bps: int = 2_000, **changes) -> int:
        """A shipment dispatched after one checkpoint, its delay risk answered."""
        shipment_id, _ = self.create(**changes)
        self.checkpoint(shipment_id)
        self.answer(self.dispatch(shipment_id), delay_risk_bps)
        return shipment_id

    def delivered(self, condition_bps: int, late: bool = False, **changes) -> tuple[int, object]:
        """A shipment delivered (after its SLA deadline when `late`) with its condition answered:
        (shipmentId, the fulfil transaction)."""
        shipment_id = self.in_transit(**changes)
        if late:
            after_deadline(self.chain, self.escrow.shipment(shipment_id)[1])
        return shipment_id, self.answer(self.deliver(shipment_id), condition_bps)

    def past_dispute_window(self, shipment_id: int) -> None:
        after_deadline(self.chain, self.escrow.shipment(shipment_id)[10])
