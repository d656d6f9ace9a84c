"""Reads a SupplyChainEscrow's events back from the chain and prints each shipment's outcome and provenance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from brownie import web3
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from oracle.types import Status

OUTCOMES = {
    0: "none",
    1: "released to supplier",
    2: "late: penalty to buyer",
    3: "spoiled: refund to buyer",
    4: "no usable answer: refund",
    5: "cancelled",
    6: "split by the arbiter",
}
GAS_STEPS = (
    "create",
    "first checkpoint",
    "next checkpoint",
    "dispatch",
    "delay fulfil",
    "deliver",
    "condition fulfil",
    "dispute",
    "resolve",
    "finalize",
)


@dataclass(frozen=True)
class TrailEntry:
    """One escrow event about a shipment, in chain order."""

    block: int
    log_index: int
    timestamp: int
    event: str
    args: Mapping


@dataclass
class ShipmentReport:
    """A shipment's trail and the gas each of its transactions used (fulfilments carry the callback)."""

    name: str
    shipment_id: int
    trail: list[TrailEntry] = field(default_factory=list)
    gas: dict[str, int] = field(default_factory=dict)

    def last(self, event: str) -> Mapping | None:
        found = [entry.args for entry in self.trail if entry.event == event]
        return found[-1] if found else None

    @property
    def delay_risk_bps(self) -> int | None:
        assessed = self.last("DelayRiskAssessed")
        return None if assessed is None else assessed["riskBps"]

    @property
    def delay_alert(self) -> bool:
        return self.last("DelayRiskAlert") is not None

    @property
    def condition_bps(self) -> int | None:
        assessed = self.last("ConditionAssessed")
        return None if assessed is None else assessed["conditionBps"]

    @property
    def delivered_late(self) -> bool | None:
        created, delivered = self.last("ShipmentCreated"), self._delivery()
        if created is None or delivered is None:
            return None
        return delivered.timestamp > created["terms"]["slaDeadline"]

    @property
    def proposed_outcome(self) -> int | None:
        proposed = self.last("OutcomeProposed")
        return None if proposed is None else proposed["outcome"]

    @property
    def settlement(self) -> Mapping | None:
        """The ShipmentSettled event: outcome, supplierAmount, buyerAmount."""
        return self.last("ShipmentSettled")

    def _delivery(self) -> TrailEntry | None:
        custody = [entry for entry in self.trail if entry.event == "CustodyTransferred"]
        return custody[1] if len(custody) > 1 else None


def read_trails(escrow, from_block: int) -> dict[int, list[TrailEntry]]:
    """Every event of `escrow` since `from_block` that names a shipment, grouped by shipment id, in chain order."""
    trails: dict[int, list[TrailEntry]] = defaultdict(list)
    timestamps: dict[int, int] = {}
    for name, logs in escrow.events.get_sequence(from_block).items():
        for log in logs:
            if "shipmentId" not in log["args"]:
                continue
            block = log["blockNumber"]
            if block not in timestamps:
                timestamps[block] = web3.eth.get_block(block)["timestamp"]
            entry = TrailEntry(block, log["logIndex"], timestamps[block], name, log["args"])
            trails[log["args"]["shipmentId"]].append(entry)
    for trail in trails.values():
        trail.sort(key=lambda entry: (entry.block, entry.log_index))
    return dict(trails)


def fulfilment_gas(coordinator, request_id: bytes, from_block: int) -> int | None:
    """Gas of the transaction that answered (or cancelled) `request_id`, which includes the consumer callback."""
    for event in ("PredictionFulfilled", "PredictionCancelled"):
        for log in coordinator.events.get_sequence(from_block, event_type=event):
            if bytes(log["args"]["requestId"]) == bytes(request_id):
                receipt = web3.eth.get_transaction_receipt(log["transactionHash"])
                return receipt["gasUsed"]
    return None


class TrailPrinter:
    """Turns trail entries into sentences, naming parties by role and amounts in whole tokens."""

    def __init__(self, roles: Mapping[str, str], token_symbol: str, token_decimals: int) -> None:
        self._roles = roles
        self._symbol = token_symbol
        self._unit = 10**token_decimals

    def role(self, address: str) -> str:
        return self._roles.get(address, address[:10] + "…")

    def amount(self, value: int) -> str:
        return f"{value / self._unit:,.2f} {self._symbol}"

    def describe(self, entry: TrailEntry) -> str:
        a = entry.args
        match entry.event:
            case "ShipmentCreated":
                t = a["terms"]
                return (
                    f"[bold]origin[/] {a['origin']}; {self.amount(t['price'])} escrowed by {self.role(a['buyer'])}; "
                    f"max condition {t['maxConditionBps']} bps, late penalty {t['latePenaltyBps']} bps; "
                    f"delay features {list(a['delayFeatures'])}"
                )
            case "CheckpointRecorded":
                return (
                    f"checkpoint #{a['index']} at [bold]{a['location']}[/] by {self.role(a['gateway'])}: "
                    f"sensor log sha256 {bytes(a['rawDataHash']).hex()[:16]}…, summary {list(a['features'])}"
                )
            case "CustodyTransferred":
                return f"[bold]custody[/] {self.role(a['from'])} -> {self.role(a['to'])}"
            case "DelayRiskRequested" | "ConditionRequested":
                kind = "delay-risk" if entry.event == "DelayRiskRequested" else "condition"
                return f"{kind} prediction requested ({bytes(a['requestId']).hex()[:12]}…)"
            case "DelayRiskAssessed":
                return f"delay risk {a['riskBps']} bps"
            case "DelayRiskAlert":
                return f"[bold red]ALERT[/] delay risk {a['riskBps']} bps above {a['thresholdBps']} bps"
            case "DelayRiskUnavailable" | "ConditionUnavailable":
                return f"no usable answer: {Status(a['status']).name} (value {a['value']})"
            case "ConditionAssessed":
                return f"condition score {a['conditionBps']} bps (maximum {a['maxConditionBps']})"
            case "OutcomeProposed":
                return (
                    f"proposed: [bold]{OUTCOMES[a['outcome']]}[/]: supplier {self.amount(a['supplierAmount'])}, "
                    f"buyer {self.amount(a['buyerAmount'])}"
                )
            case "ShipmentDisputed":
                return f"[bold yellow]disputed[/] by {self.role(a['by'])}: {a['reason']}"
            case "DisputeResolved":
                return f"{self.role(a['arbiter'])} awards {a['supplierBps'] / 100:g}% to the supplier"
            case "ShipmentSettled":
                return (
                    f"[bold green]settled[/] ({OUTCOMES[a['outcome']]}): supplier {self.amount(a['supplierAmount'])}, "
                    f"buyer {self.amount(a['buyerAmount'])}"
                )
            case "PaymentCredited":
                return f"credited {self.amount(a['amount'])} to {self.role(a['account'])} (withdrawable)"
            case "OracleFeeRefundCredited":
                return f"oracle fee {a['amountWei']} wei refunded to {self.role(a['payer'])}"
            case "ShipmentCancelled":
                return f"cancelled by {self.role(a['by'])}"
        return f"{entry.event} {dict(a)}"


def print_reports(console: Console, reports: Sequence[ShipmentReport], printer: TrailPrinter) -> None:
    """A table of outcomes, each shipment's provenance trail, and the gas of every step."""
    table = Table(title="Supply-chain escrow: outcomes decided on chain")
    for column in ("shipment", "delay risk", "condition", "delivered", "proposed", "settled", "supplier", "buyer"):
        table.add_column(column, justify="right" if column in ("supplier", "buyer") else "left")
    for report in reports:
        settled = report.settlement
        risk = "-" if report.delay_risk_bps is None else f"{report.delay_risk_bps} bps"
        table.add_row(
            f"#{report.shipment_id} {report.name}",
            risk + (" [bold red]ALERT[/]" if report.delay_alert else ""),
            "-" if report.condition_bps is None else f"{report.condition_bps} bps",
            {True: "late", False: "on time", None: "-"}[report.delivered_late],
            OUTCOMES.get(report.proposed_outcome, "-"),
            OUTCOMES[settled["outcome"]] if settled else "open",
            printer.amount(settled["supplierAmount"]) if settled else "-",
            printer.amount(settled["buyerAmount"]) if settled else "-",
        )
    console.print(table)

    for report in reports:
        start = report.trail[0].timestamp if report.trail else 0
        tree = Tree(f"[bold]provenance of shipment #{report.shipment_id}[/] ({report.name})")
        for entry in report.trail:
            hours = (entry.timestamp - start) / 3_600
            tree.add(f"[dim]block {entry.block:>4}  t+{hours:6.1f}h[/]  {printer.describe(entry)}")
        console.print(tree)

    gas = Table(title="Gas used, from receipts (a fulfil transaction includes the escrow's callback)")
    gas.add_column("shipment")
    for step in GAS_STEPS:
        gas.add_column(step, justify="right")
    for report in reports:
        gas.add_row(f"#{report.shipment_id}", *(f"{report.gas[s]:,}" if s in report.gas else "-" for s in GAS_STEPS))
    console.print(gas)
