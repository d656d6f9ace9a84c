"""scripts/supply_chain_scenario.py end to end on anvil, with an in-process oracle that signs the answers.

The real shipment-condition and delivery-delay models are trained elsewhere; here the test chooses each
answer from the features it planted, so that the three shipments land on the three outcomes.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rich.console import Console

from oracle.types import Request, Status
from scripts.supply_chain_scenario import (
    Checkpoint,
    Dispute,
    ScenarioError,
    ShipmentPlan,
    run,
)
from tests.apps.supply.shipments import CONDITION_MODEL_ID, DELAY_MODEL_ID, Outcome
from tests.helpers import signed_report

TOKEN = 10**18
PRICE_TOKENS = 25_000
# Delay features: carrier, origin, destination, distance (miles), scheduled departure (hhmm), month.
USUAL_ROUTE = (4, 1, 27, 1_089, 1_530, 7)
STORM_ROUTE = (9, 2, 31, 1_416, 1_905, 12)
# Condition features: summaries of a sensor window.
COOL = (4_312, -1_250, 88, 0, 7_900, 31, -4, 120)
COOL_AGAIN = (4_290, -1_190, 91, 0, 7_850, 30, -3, 118)
WARM = (9_870, 2_310, 640, 12, 3_100, 77, 41, 905)
DELAY_RISK = {USUAL_ROUTE: 1_800, STORM_ROUTE: 7_400}
CONDITION = {COOL: 900, COOL_AGAIN: 700, WARM: 9_200}


class InProcessOracle:
    """What the oracle node does, in process: answers every pending request (value chosen by `answer`),
    signs it with the test signer and fulfils it through the coordinator."""

    def __init__(self, coordinator, signer, relayer, chain, answer: Callable[[bytes, tuple], int]) -> None:
        self._coordinator, self._signer, self._relayer = coordinator, signer, relayer
        self._answer = answer
        self._from_block = chain.height
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        for log in self._coordinator.events.get_sequence(self._from_block, event_type="PredictionRequested"):
            request_id = bytes(log["args"]["requestId"])
            if bytes(self._coordinator.commitmentOf(request_id)) == bytes(32):
                continue
            request = Request.from_abi(log["args"]["request"])
            value = self._answer(request.model_id, tuple(log["args"]["features"]))
            report, signatures = signed_report([self._signer], request_id, request, [value], Status.OK)
            self._coordinator.fulfill(report, signatures, {"from": self._relayer})


def chosen_answer(model: bytes, features: tuple) -> int:
    return DELAY_RISK[features] if model == DELAY_MODEL_ID else CONDITION[features]


def checkpoints(last: tuple) -> list[Checkpoint]:
    return [
        Checkpoint("packhouse 7, Uruapan MX", COOL, b"t,temp_c,rh\n0,4.1,91\n"),
        Checkpoint("Laredo TX border crossing", COOL_AGAIN, b"t,temp_c,rh\n0,4.2,90\n"),
        Checkpoint("DC 3, Dallas TX", last, b"t,temp_c,rh\n0,4.0,92\n"),
    ]


PLANS = [
    ShipmentPlan("on time and clean", "Hass avocados, Uruapan MX", USUAL_ROUTE, checkpoints(COOL), transit_hours=30),
    ShipmentPlan("delayed", "Hass avocados, Uruapan MX", STORM_ROUTE, checkpoints(COOL_AGAIN), transit_hours=60),
    ShipmentPlan(
        "spoiled",
        "Hass avocados, Uruapan MX",
        USUAL_ROUTE,
        checkpoints(WARM),
        transit_hours=30,
        dispute=Dispute("supplier", "reefer log shows 4 C until the last stop", arbiter_supplier_bps=2_000),
    ),
]


@pytest.fixture
def oracle(supply_models, oracle_signers, relayer, chain):
    return InProcessOracle(supply_models, oracle_signers[0], relayer, chain, chosen_answer)


def run_scenario(coordinator, settle, plans=PLANS) -> tuple[list, str]:
    output = io.StringIO()
    reports = run(
        coordinator,
        settle,
        Console(file=output, width=240),
        condition_model_id=CONDITION_MODEL_ID,
        delay_model_id=DELAY_MODEL_ID,
        plans=plans,
    )
    return reports, output.getvalue()


def test_scenario_reaches_the_three_outcomes(supply_models, oracle, MockEscrowToken, buyer, supplier):
    reports, output = run_scenario(supply_models, oracle)

    clean, delayed, spoiled = reports
    assert [r.shipment_id for r in reports] == [1, 2, 3]
    assert oracle.calls == 3  # after the dispatches, then after each of the two delivery groups
    assert [r.proposed_outcome for r in reports] == [Outcome.RELEASED, Outcome.LATE_PENALTY, Outcome.SPOILED]
    assert [r.delay_risk_bps for r in reports] == [1_800, 7_400, 1_800]
    assert [r.delay_alert for r in reports] == [False, True, False]
    assert [r.condition_bps for r in reports] == [900, 700, 9_200]
    assert [r.delivered_late for r in reports] == [False, True, False]

    price = PRICE_TOKENS * TOKEN
    penalty = price * 1_000 // 10_000
    settled = [(r.settlement["outcome"], r.settlement["supplierAmount"], r.settlement["buyerAmount"]) for r in reports]
    assert settled == [
        (Outcome.RELEASED, price, 0),
        (Outcome.LATE_PENALTY, price - penalty, penalty),
        (Outcome.ARBITRATED, price * 2_000 // 10_000, price * 8_000 // 10_000),
    ]
    token = MockEscrowToken[-1]
    assert token.balanceOf(supplier) == price + price - penalty + price // 5
    assert token.balanceOf(buyer) == penalty + price * 4 // 5

    assert "provenance of shipment #3 (spoiled)" in output
    assert "ALERT" in output
    assert "reefer log shows 4 C until the last stop" in output


def test_scenario_trail_proves_origin_custody_and_checkpoints(supply_models, oracle, supplier, carrier, buyer):
    reports, _ = run_scenario(supply_models, oracle)

    for report in reports:
        events = [entry.event for entry in report.trail]
        assert events[0] == "ShipmentCreated"
        assert report.trail[0].args["origin"] == "Hass avocados, Uruapan MX"
        custody = [(e.args["from"], e.args["to"]) for e in report.trail if e.event == "CustodyTransferred"]
        assert custody == [(supplier.address, carrier.address), (carrier.address, buyer.address)]
        checkpoints_seen = [e.args["location"] for e in report.trail if e.event == "CheckpointRecorded"]
        assert checkpoints_seen == [c.location for c in PLANS[0].checkpoints]
        assert events.index("CheckpointRecorded") < events.index("CustodyTransferred")  # origin reading first
        assert events[-1] in ("ShipmentSettled", "PaymentCredited")
        assert all(a.block <= b.block for a, b in zip(report.trail, report.trail[1:], strict=False))


def test_scenario_measures_gas_of_every_step(supply_models, oracle):
    reports, output = run_scenario(supply_models, oracle)

    common = {
        "create",
        "first checkpoint",
        "next checkpoint",
        "dispatch",
        "delay fulfil",
        "deliver",
        "condition fulfil",
    }
    assert common | {"finalize"} == set(reports[0].gas)
    assert common | {"dispute", "resolve"} == set(reports[2].gas)
    assert all(gas > 21_000 for r in reports for gas in r.gas.values())
    assert "Gas used" in output


def test_scenario_refuses_when_settle_leaves_requests_unanswered(supply_models):
    with pytest.raises(ScenarioError, match="settle\\(\\) returned before the oracle answered"):
        run_scenario(supply_models, lambda: None)


def test_scenario_refuses_a_plan_without_checkpoints(supply_models, oracle):
    plan = ShipmentPlan("bare", "nowhere", USUAL_ROUTE, [], transit_hours=1)
    with pytest.raises(ScenarioError, match="needs at least one checkpoint"):
        run_scenario(supply_models, oracle, [plan])
    assert oracle.calls == 0
