"""The typed training report: every committed report.json reads into its model's report type and writes back
byte for byte, renders the committed card, and refuses a report with a key its type does not know."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from oracle.ml.schema import FeatureSchema
from oracle.ml.train import RECIPES
from oracle.ml.training.report import CandidateScores, ThresholdPolicy

MODELS = Path(__file__).resolve().parents[3] / "models"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_committed_report_round_trips_byte_for_byte_and_renders_the_committed_card(name):
    recipe = RECIPES[name]
    text = (MODELS / name / "report.json").read_text()
    report = recipe.report_type.model_validate_json(text)
    assert report.to_json() == text
    schema = FeatureSchema.from_file(MODELS / name / "schema.json")
    assert recipe.render_card(report, schema) == (MODELS / name / "MODEL_CARD.md").read_text()


def test_a_report_with_an_unknown_or_missing_key_is_refused():
    recipe = RECIPES["shipment-condition"]
    raw = json.loads((MODELS / "shipment-condition" / "report.json").read_text())
    with pytest.raises(ValidationError):
        recipe.report_type.model_validate({**raw, "surprise": 1})
    with pytest.raises(ValidationError):
        recipe.report_type.model_validate({key: value for key, value in raw.items() if key != "policy"})


def test_sections_write_their_keys_in_the_report_order():
    policy = ThresholdPolicy.model_validate(
        {
            "confusion_matrix": {"tn": 1, "fp": 2, "fn": 3, "tp": 4},
            "accuracy": 0.5,
            "flagged_rate": 0.6,
            "precision": None,
            "recall": 0.57,
            "false_positive_rate": 0.66,
            "rule": "flag when score >= threshold_bps",
            "threshold_bps": 3000,
        }
    )
    assert list(policy.model_dump())[:3] == ["threshold_bps", "rule", "confusion_matrix"]
    assert policy.model_dump()["precision"] is None  # a None figure is kept
    without_boosting = CandidateScores(
        cv_roc_auc_mean=0.8, cv_roc_auc_std=0.01, held_out_roc_auc=0.8, held_out_brier=0.1, held_out_ece=0.02
    )
    assert "boosting_iterations" not in without_boosting.model_dump()  # only early-stopping candidates have it
