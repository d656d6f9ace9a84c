"""Training: the committed credit-risk report, and a small deterministic run into tmp_path."""

import json
from pathlib import Path

from oracle.ml.model import LoadedModel
from oracle.ml.training.credit_risk import train

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "credit-risk"
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
    assert model.artifact_hash.hex() == first["artifact"]["sha256"] == second["artifact"]["sha256"]
    assert first["dataset"]["rows_used"] == 600 and first["dataset"]["rows_held_out"] == 150
    assert first["held_out"]["roc_auc"] >= 0.70
