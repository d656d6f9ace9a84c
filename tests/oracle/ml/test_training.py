"""Training: the committed credit-risk report, a small deterministic run into tmp_path, and the
shared encoding, evaluation and entry-point pieces."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from oracle.ml.errors import InvalidFeatures
from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema
from oracle.ml.train import RECIPES
from oracle.ml.training.credit_risk import train
from oracle.ml.training.encoding import decode_fixed, encode_frame
from oracle.ml.training.evaluation import roc_auc_interval, threshold_outcome

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"
FILES = {"model.skops", "schema.json", "report.json", "report.png", "MODEL_CARD.md", "held_out.csv"}


def test_committed_report_meets_the_auc_floor_and_beats_the_baselines():
    report = json.loads((MODEL_DIR / "report.json").read_text())
    held_out = report["held_out"]
    assert held_out["roc_auc"] >= 0.70
    assert held_out["brier"] < held_out["baseline_prevalence_brier"]
    assert held_out["accuracy_at_0_5"] > held_out["baseline_majority_accuracy"]


def test_committed_directory_has_every_file():
    assert FILES <= {path.name for path in MODEL_DIR.iterdir()}


def test_training_on_a_subsample_writes_a_loadable_reproducible_directory(tmp_path):
    first = train(tmp_path / "a", max_rows=600, cv_folds=3)
    second = train(tmp_path / "b", max_rows=600, cv_folds=3)
    assert {path.name for path in (tmp_path / "a").iterdir()} == FILES
    for name in ("model.skops", "schema.json", "held_out.csv", "report.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    model = LoadedModel.from_dir(tmp_path / "a")
    assert model.artifact_hash.hex() == first.artifact.sha256 == second.artifact.sha256
    assert first.dataset.rows_used == 600 and first.dataset.rows_held_out == 150
    assert first.held_out.roc_auc >= 0.70


def test_encode_frame_matches_row_by_row_schema_encode_and_drops_refused_rows():
    schema = FeatureSchema.model_validate(
        {
            "name": "toy",
            "features": [
                {"name": "ratio", "kind": "numeric", "scale": 100, "min": -1.5, "max": 2.25},
                {
                    "name": "colour",
                    "kind": "categorical",
                    "categories": [{"code": 0, "label": "red"}, {"code": 7, "label": "blue"}],
                },
            ],
            "output": {"name": "p", "scale": 10000, "min": 0, "max": 1},
        }
    )
    frame = pd.DataFrame(
        {"colour": ["blue", "red", "green", "red", "blue", None], "ratio": [1.005, -1.5, 0.0, 3.0, 0.295, 0.0]}
    )
    fixed, keep = encode_frame(frame, schema)
    assert keep.tolist() == [True, True, False, False, True, False]
    assert (
        fixed.tolist()
        == [schema.encode(row) for row in frame[keep].to_dict("records")]
        == [[100, 7], [-150, 0], [30, 7]]
    )
    assert decode_fixed(fixed, schema).tolist() == [schema.decode(row).tolist() for row in fixed]


def test_decode_fixed_refuses_an_out_of_range_integer():
    schema = FeatureSchema.model_validate(
        {
            "name": "toy",
            "features": [{"name": "count", "kind": "numeric", "min": 0, "max": 10}],
            "output": {"name": "p", "scale": 10000, "min": 0, "max": 1},
        }
    )
    with pytest.raises(InvalidFeatures, match="outside"):
        decode_fixed(np.array([[3], [11]]), schema)


def test_threshold_outcome_counts_flags_at_or_above_the_threshold():
    y = np.array([0, 0, 1, 1, 1])
    outcome = threshold_outcome(y, np.array([100, 3000, 2999, 3000, 9000]), 3000)
    assert outcome.confusion_matrix.model_dump() == {"tn": 1, "fp": 1, "fn": 1, "tp": 2}
    assert (outcome.precision, outcome.recall, outcome.flagged_rate) == (0.666667, 0.666667, 0.6)


def test_roc_auc_interval_brackets_the_auc_and_is_seeded():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    groups = np.repeat(np.arange(40), 10)
    first = roc_auc_interval(y, p, groups, group_name="days", seed=1, reps=200)
    assert first == roc_auc_interval(y, p, groups, group_name="days", seed=1, reps=200)
    assert first.low < roc_auc_score(y, p) < first.high


def test_every_trainer_has_a_committed_model_directory():
    assert set(RECIPES) == {"credit-risk", "shipment-condition", "delivery-delay"}
    for name in RECIPES:
        assert FILES <= {path.name for path in (MODEL_DIR.parent / name).iterdir()}


def test_train_command_refuses_an_unknown_model_and_names_the_recipes():
    from typer.testing import CliRunner

    from oracle.cli import app

    result = CliRunner().invoke(app, ["models", "train", "credit-rsik"])
    assert result.exit_code == 2
    assert "credit-rsik" in result.output
    assert all(name in result.output for name in [*RECIPES, "all"])
