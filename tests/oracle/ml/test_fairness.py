"""Fairness audit: approval, approval among repayers, adverse-impact ratio with intervals; the bound check;
and the committed credit-risk card and report stating them."""

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from oracle.cli import app
from oracle.ml.training.fairness import DEFAULT_MIN_AIR, audit, group_fairness, violations

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"


def two_groups(n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    groups = np.array(["young"] * n + ["old"] * n)
    p = np.r_[rng.uniform(0.1, 0.5, n), rng.uniform(0.0, 0.3, n)]
    return (rng.random(2 * n) < p).astype(int), p, groups


def test_group_fairness_takes_the_best_approved_group_as_reference_with_intervals():
    y, p, groups = two_groups()
    table = group_fairness(y, p, groups, 2000, seed=0, reps=200)
    assert table.reference_group == "old"
    young = table.groups["young"]
    approved = np.rint(p * 10000) <= 2000  # the answer in bps, as the pool compares it
    expected = approved[groups == "young"].mean() / approved[groups == "old"].mean()
    assert abs(young.adverse_impact_ratio.value - expected) < 1e-6
    assert young.adverse_impact_ratio.low < young.adverse_impact_ratio.value < young.adverse_impact_ratio.high
    assert table.groups["old"].adverse_impact_ratio.value == 1.0
    repaid = (groups == "young") & (y == 0)
    assert abs(young.approval_among_repayers.value - approved[repaid].mean()) < 1e-6


def test_violations_name_protected_groups_below_the_bound_only():
    y, p, groups = two_groups()
    result = audit(y, p, {"age_band": groups, "job": groups}, 2000, seed=0, reps=50)
    found = violations(result, DEFAULT_MIN_AIR)
    assert len(found) == 1 and found[0].startswith("age_band=young")
    assert violations(result, 0.0) == []
    assert result.worst_adverse_impact.attribute == "age_band"


def test_committed_report_audits_every_attribute_and_the_card_says_what_to_do():
    report = json.loads((MODEL_DIR / "report.json").read_text())
    fairness = report["fairness"]
    assert set(fairness["attributes"]) == {"age_band", "marital", "job", "home", "records"}
    young = fairness["attributes"]["age_band"]["groups"]["18-24"]
    assert young["adverse_impact_ratio"]["high"] < DEFAULT_MIN_AIR  # clearly below the four-fifths rule
    assert report["proxies"]["cv_roc_auc"]["age_under_25"] > 0.8
    card = (MODEL_DIR / "MODEL_CARD.md").read_text()
    assert "What an operator should do" in card and "oracle models fairness credit-risk" in card


def test_fairness_command_exits_1_below_the_bound_and_0_above_it():
    failing = CliRunner().invoke(app, ["models", "fairness", "credit-risk", "--models-dir", str(MODEL_DIR.parent)])
    assert failing.exit_code == 1 and "ADVERSE IMPACT age_band=18-24" in failing.output
    passing = CliRunner().invoke(
        app, ["models", "fairness", "credit-risk", "--min-air", "0.3", "--models-dir", str(MODEL_DIR.parent)]
    )
    assert passing.exit_code == 0 and "adverse-impact ratio is >= 0.30" in passing.output


def test_register_shows_the_report_and_refuses_before_touching_the_chain(monkeypatch):
    for name, value in {
        "RPC_URL": "http://127.0.0.1:1",  # nothing listens: registering would fail differently
        "COORDINATOR": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "PRIVATE_KEY": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "MODELS_DIR": str(MODEL_DIR.parent),
    }.items():
        monkeypatch.setenv(f"ORACLE_{name}", value)
    result = CliRunner().invoke(app, ["models", "register", "credit-risk", "--threshold-bps", "2000"])
    assert result.exit_code == 1
    assert "ADVERSE IMPACT age_band=18-24" in result.output and "not registering credit-risk" in result.output
