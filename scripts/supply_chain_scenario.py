"""Supply-chain scenario: shipments escrowed in SupplyChainEscrow, judged by the delivery-delay and
shipment-condition models through the oracle, with each outcome and provenance trail read back from the chain.

A module for brownie scripts (and tests), not an entry point of its own: the caller deploys the coordinator,
registers both models on it, builds one `ShipmentPlan` per shipment (typically three: on time and clean,
delayed, spoiled) from the models' held-out rows, and calls `run`. Local chains only (chain id 31337): the
scenario moves the chain's clock to make a delivery late and to close dispute windows.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from brownie import MockEscrowToken, SupplyChainEscrow, accounts, chain
from rich.console import Console

from scripts.supply_chain_report import ShipmentReport, TrailPrinter, fulfilment_gas, print_reports, read_trails

LOCAL_CHAIN_ID = 31337
TOKEN_DECIMALS = 18
PROPOSED = 4  # ShipmentState.Proposed


class ScenarioError(RuntimeError):
    """The scenario cannot run as asked, or the chain did not do what it must have."""


@dataclass(frozen=True)
class Checkpoint:
    """One gateway reading: where it was taken, its summary features (in the shipment-condition model's
    schema), and the full sensor log kept off chain, of which only the sha256 goes on chain."""

    location: str
    features: Sequence[int]
    sensor_log: bytes


@dataclass(frozen=True)
class Dispute:
    """A party ("buyer" or "supplier") disputes the proposed outcome; the arbiter then awards
    `arbiter_supplier_bps` of the price to the supplier."""

    by: str
    reason: str
    arbiter_supplier_bps: int


@dataclass(frozen=True)
class ShipmentPlan:
    """One shipment: its terms, the delivery-delay model's features, its checkpoints (the first is taken at
    the origin before dispatch, the rest in transit; the condition is judged on the last one), and how long
    the carrier takes from dispatch to delivery (longer than `sla_hours` makes it late)."""

    name: str
    origin: str
    delay_features: Sequence[int]
    checkpoints: Sequence[Checkpoint]
    transit_hours: int
    sla_hours: int = 48
    price_tokens: int = 25_000
    max_condition_bps: int = 6_000
    late_penalty_bps: int = 1_000
    dispute: Dispute | None = None


@dataclass(frozen=True)
class Parties:
    admin: object
    buyer: object
    supplier: object
    carrier: object
    gateway: object
    arbiter: object

    @classmethod
    def local(cls) -> Parties:
        """anvil's accounts 0 and 3 to 7 (1 and 2 are the credit demo's, 9 the oracle's signer)."""
        return cls(accounts[0], *(accounts[i] for i in range(3, 8)))

    def roles(self) -> dict[str, str]:
        return {getattr(self, name).address: name for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class EscrowParameters:
    delay_alert_bps: int = 5_000
    dispute_window_hours: int = 72
    oracle_ttl_seconds: int = 3_600


def run(
    coordinator,
    settle: Callable[[], None],
    console: Console,
    *,
    condition_model_id: bytes,
    delay_model_id: bytes,
    plans: Sequence[ShipmentPlan],
    parties: Parties | None = None,
    parameters: EscrowParameters = EscrowParameters(),
) -> list[ShipmentReport]:
    """Deploys a token and a SupplyChainEscrow on `coordinator`, takes every plan's shipment from creation to
    withdrawal, prints the outcomes, provenance trails and gas, and returns one report per plan.

    Args:
        coordinator: the deployed OracleCoordinator, with both models registered by the caller.
        settle: returns once the oracle has answered every pending request (the demo waits for the oracle
            node; tests answer in process). Called after the dispatches and after each group of deliveries.
        console: where the results are printed.
        condition_model_id, delay_model_id: keccak256 of "shipment-condition" and "delivery-delay".
        plans: the shipments, each with its features.
        parties: who plays which role; anvil's accounts by default.
        parameters: the escrow's alert threshold, dispute window and oracle deadline.

    Raises:
        ScenarioError: not on a local chain, an unusable plan, or `settle` returned with a request unanswered.
    """
    if chain.id != LOCAL_CHAIN_ID:
        raise ScenarioError(f"the scenario moves the chain's clock: run it on a local chain, not chain id {chain.id}")
    _check_plans(plans)
    parties = parties or Parties.local()
    start_block = chain.height
    with _quiet():
        token, escrow = _deploy(coordinator, parties, condition_model_id, delay_model_id, parameters)
    scenario = _Scenario(coordinator, escrow, token, parties, plans, settle)
    scenario.play(parameters.dispute_window_hours)

    trails = read_trails(escrow, start_block)
    for report in scenario.reports:
        report.trail = trails.get(report.shipment_id, [])
        for step, request_id in scenario.requests[report.shipment_id].items():
            gas = fulfilment_gas(coordinator, request_id, start_block)
            if gas is not None:
                report.gas[step] = gas
    console.print(
        f"[bold]SupplyChainEscrow[/] {escrow.address} on coordinator {coordinator.address}; "
        f"token {token.symbol()} {token.address}"
    )
    print_reports(console, scenario.reports, TrailPrinter(parties.roles(), token.symbol(), TOKEN_DECIMALS))
    return scenario.reports


class _Scenario:
    """The shipments' shared timeline: create, checkpoint at origin, dispatch, settle, checkpoints in transit,
    deliveries in order of transit time (settling after each group), disputes, finalization, withdrawals."""

    def __init__(self, coordinator, escrow, token, parties: Parties, plans: Sequence[ShipmentPlan], settle) -> None:
        self.coordinator, self.escrow, self.token, self.parties = coordinator, escrow, token, parties
        self.plans, self.settle = plans, settle
        self.reports: list[ShipmentReport] = []
        self.requests: dict[int, dict[str, bytes]] = {}

    def play(self, dispute_window_hours: int) -> None:
        with _quiet():
            for plan in self.plans:
                self._create(plan)
            for report, plan in self._each():
                self._checkpoint(report, plan.checkpoints[0], "first checkpoint")
            delay_fee = self._fee(self.escrow.settings()["delayModelId"])
            for report, plan in self._each():
                tx = self.escrow.dispatch(
                    report.shipment_id, list(plan.delay_features), {"from": self.parties.supplier, "value": delay_fee}
                )
                report.gas["dispatch"] = tx.gas_used
                self._requested(report, "delay fulfil", tx.events["DelayRiskRequested"]["requestId"])
            dispatched_at = chain[-1].timestamp
        self.settle()

        with _quiet():
            for report, plan in self._each():
                for checkpoint in plan.checkpoints[1:]:
                    self._checkpoint(report, checkpoint, "next checkpoint")
        by_transit = sorted(self._each(), key=lambda pair: pair[1].transit_hours)
        for transit_hours, group in groupby(by_transit, key=lambda pair: pair[1].transit_hours):
            with _quiet():
                _sleep_until(dispatched_at + transit_hours * 3_600)
                for report, plan in group:
                    self._deliver(report, plan)
            self.settle()

        with _quiet():
            self._require_proposals()
            for report, plan in self._each():
                if plan.dispute is not None:
                    self._dispute(report, plan.dispute)
            _sleep_until(chain[-1].timestamp + dispute_window_hours * 3_600 + 1)
            for report, plan in self._each():
                if plan.dispute is None:
                    report.gas["finalize"] = self.escrow.finalize(
                        report.shipment_id, {"from": self.parties.admin}
                    ).gas_used
            for party in (self.parties.buyer, self.parties.supplier):
                if self.escrow.creditOf(self.token, party) > 0:
                    self.escrow.withdraw(self.token, party, {"from": party})

    def _fee(self, model) -> int:
        """What a request for `model` pays: the coordinator's price for the escrow's callback gas limit."""
        return self.coordinator.requestFee(model, self.escrow.CALLBACK_GAS_LIMIT())

    def _each(self):
        return list(zip(self.reports, self.plans, strict=True))

    def _create(self, plan: ShipmentPlan) -> None:
        price = plan.price_tokens * 10**TOKEN_DECIMALS
        buyer = self.parties.buyer
        self.token.mint(buyer, price, {"from": buyer})
        self.token.approve(self.escrow, price, {"from": buyer})
        terms = (
            self.parties.supplier.address,
            self.parties.carrier.address,
            self.token.address,
            price,
            chain[-1].timestamp + plan.sla_hours * 3_600,
            plan.max_condition_bps,
            plan.late_penalty_bps,
        )
        tx = self.escrow.createShipment(terms, plan.origin, list(plan.delay_features), {"from": buyer})
        report = ShipmentReport(plan.name, int(tx.return_value))
        report.gas["create"] = tx.gas_used
        self.reports.append(report)
        self.requests[report.shipment_id] = {}

    def _checkpoint(self, report: ShipmentReport, checkpoint: Checkpoint, step: str) -> None:
        tx = self.escrow.recordCheckpoint(
            report.shipment_id,
            checkpoint.location,
            hashlib.sha256(checkpoint.sensor_log).digest(),
            list(checkpoint.features),
            {"from": self.parties.gateway},
        )
        report.gas[step] = tx.gas_used

    def _deliver(self, report: ShipmentReport, plan: ShipmentPlan) -> None:
        fee = self._fee(self.escrow.settings()["conditionModelId"])
        features = list(plan.checkpoints[-1].features)
        tx = self.escrow.deliver(report.shipment_id, features, {"from": self.parties.carrier, "value": fee})
        report.gas["deliver"] = tx.gas_used
        self._requested(report, "condition fulfil", tx.events["ConditionRequested"]["requestId"])

    def _dispute(self, report: ShipmentReport, dispute: Dispute) -> None:
        party = getattr(self.parties, dispute.by)
        report.gas["dispute"] = self.escrow.dispute(report.shipment_id, dispute.reason, {"from": party}).gas_used
        tx = self.escrow.resolveDispute(
            report.shipment_id, dispute.arbiter_supplier_bps, {"from": self.parties.arbiter}
        )
        report.gas["resolve"] = tx.gas_used

    def _requested(self, report: ShipmentReport, step: str, request_id) -> None:
        self.requests[report.shipment_id][step] = bytes(request_id)

    def _require_proposals(self) -> None:
        for report in self.reports:
            state = self.escrow.shipment(report.shipment_id)["state"]
            if state != PROPOSED:
                raise ScenarioError(
                    f"shipment #{report.shipment_id} ({report.name}) is in state {state}, not Proposed: "
                    "settle() returned before the oracle answered its condition request"
                )


def _deploy(coordinator, parties: Parties, condition_model_id: bytes, delay_model_id: bytes, p: EscrowParameters):
    admin = parties.admin
    token = MockEscrowToken.deploy({"from": admin})
    settings = (
        condition_model_id,
        delay_model_id,
        p.delay_alert_bps,
        p.dispute_window_hours * 3_600,
        p.oracle_ttl_seconds,
    )
    escrow = SupplyChainEscrow.deploy(coordinator, admin, settings, {"from": admin})
    escrow.grantRole(escrow.GATEWAY_ROLE(), parties.gateway, {"from": admin})
    escrow.grantRole(escrow.ARBITER_ROLE(), parties.arbiter, {"from": admin})
    return token, escrow


def _check_plans(plans: Sequence[ShipmentPlan]) -> None:
    if not plans:
        raise ScenarioError("no shipments to run")
    for plan in plans:
        if not plan.checkpoints:
            raise ScenarioError(
                f"shipment {plan.name!r} needs at least one checkpoint (its condition is judged on the last)"
            )
        if not plan.delay_features or any(not c.features for c in plan.checkpoints):
            raise ScenarioError(f"shipment {plan.name!r} has an empty feature row")
        if plan.dispute is not None and plan.dispute.by not in ("buyer", "supplier"):
            raise ScenarioError(
                f"shipment {plan.name!r}: only the buyer or the supplier may dispute, not {plan.dispute.by!r}"
            )


def _sleep_until(timestamp: int) -> None:
    seconds = timestamp - chain[-1].timestamp
    if seconds > 0:
        chain.sleep(seconds)
        chain.mine()


@contextlib.contextmanager
def _quiet():
    """brownie prints every transaction; the scenario prints its own summary instead."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
