"""The supply-chain scenario answered by the real node: real held-out flights and sensor days, the models' values."""

import io

import pytest
from rich.console import Console

from oracle.ml.model import LoadedModel
from oracle.types import model_id
from scripts.oracle_answers import wait_for_answers
from scripts.supply_chain_plans import MODELS, demo_plans
from scripts.supply_chain_scenario import run
from tests.apps.supply.shipments import Outcome
from tests.helpers import flat_pricing


@pytest.fixture(scope="module")
def supply_models(served_coordinator, owner):
    models = {name: LoadedModel.from_dir(MODELS / name) for name in ("shipment-condition", "delivery-delay")}
    for name, model in models.items():
        served_coordinator.registerModel(
            model_id(name), model.artifact_hash, model.schema_hash, flat_pricing(10**15), {"from": owner}
        )
    return models


def test_three_shipments_settle_as_the_models_say(start_node, served_coordinator, supply_models, chain):
    node = start_node()
    start = chain.height + 1
    plans = demo_plans()
    output = io.StringIO()

    reports = run(
        served_coordinator,
        lambda: wait_for_answers(served_coordinator, start, timeout=60, node=node),
        Console(file=output, width=240),
        condition_model_id=model_id("shipment-condition"),
        delay_model_id=model_id("delivery-delay"),
        plans=plans,
    )

    delay_model, condition_model = supply_models["delivery-delay"], supply_models["shipment-condition"]
    expected_delay = [p.value for p in delay_model.predict([plan.delay_features for plan in plans])]
    expected_condition = [p.value for p in condition_model.predict([plan.checkpoints[-1].features for plan in plans])]
    assert [r.delay_risk_bps for r in reports] == expected_delay
    assert [r.condition_bps for r in reports] == expected_condition
    assert [r.delay_alert for r in reports] == [False, True, False]
    assert [r.delivered_late for r in reports] == [False, True, False]
    assert [r.proposed_outcome for r in reports] == [Outcome.RELEASED, Outcome.LATE_PENALTY, Outcome.SPOILED]
    assert [r.settlement["outcome"] for r in reports] == [Outcome.RELEASED, Outcome.LATE_PENALTY, Outcome.ARBITRATED]
    assert "provenance of shipment #3" in output.getvalue()
