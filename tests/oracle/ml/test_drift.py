"""Drift: PSI per feature and of the answers against the training distribution, on streams of served inputs."""

import csv
import json
import time
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from oracle.cli import app
from oracle.ml import drift
from oracle.ml.model import LoadedModel
from oracle.webhooks import signing as webhook_signing
from tests.oracle.api.receiver import Receiver
from tests.oracle.ml.committed_model import feature_rows, read_held_out

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"


def streams() -> tuple[LoadedModel, list[list[int]], list[list[int]]]:
    """The held-out applicants as served, and the same applicants with incomes tripled (capped at the schema)."""
    model = LoadedModel.from_dir(MODEL_DIR)
    rows = feature_rows(read_held_out(MODEL_DIR), model.schema)
    income = model.schema.feature_names.index("income")
    shifted = [[min(v * 3, 5000) if i == income else v for i, v in enumerate(row)] for row in rows]
    return model, rows, shifted


def answers(model: LoadedModel, rows: list[list[int]]) -> list[int]:
    return [p.value for p in model.predict(rows)]


def test_psi_is_zero_for_equal_shares_and_grows_with_the_shift():
    assert drift.psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert 0 < drift.psi([0.5, 0.5], [0.6, 0.4]) < drift.psi([0.5, 0.5], [0.9, 0.1])


def test_held_out_stream_is_stable_and_a_shifted_income_stream_is_flagged():
    model, rows, shifted = streams()
    reference = model.report["drift_reference"]
    stable = drift.compare(reference, model.schema, rows, answers(model, rows))
    assert stable.window == len(rows) and max(stable.feature_psi.values()) < 0.1 and stable.alerts() == []
    moved = drift.compare(reference, model.schema, shifted, answers(model, shifted))
    assert moved.worst[0] == "income" and moved.feature_psi["income"] > drift.DEFAULT_ALERT_PSI
    assert moved.mean_prediction < stable.mean_prediction  # richer applicants look safer
    assert moved.alerts()[0].startswith("feature income")


def test_rows_the_schema_refuses_are_left_out_of_the_window():
    model, rows, _ = streams()
    report = drift.compare(model.report["drift_reference"], model.schema, [*rows[:10], [0] * 11], [])
    assert report.window == 10 and report.prediction_psi is None


def test_drift_command_exits_1_and_posts_an_alert_on_a_shifted_stream(tmp_path):
    model, _, shifted = streams()
    path = tmp_path / "served.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(model.schema.feature_names)
        writer.writerows(shifted)
    with Receiver() as receiver:
        result = CliRunner().invoke(
            app,
            [
                "models",
                "drift",
                "credit-risk",
                "--inputs",
                str(path),
                "--alert-url",
                receiver.url,
                "--alert-secret",
                "s3cret",
                "--plot",
                str(tmp_path / "drift.png"),
                "--models-dir",
                str(MODEL_DIR.parent),
            ],
        )
    assert result.exit_code == 1, result.output
    assert "DRIFT" in result.output and "income" in result.output
    assert len(receiver.received) == 1 and b'"model.drift"' in receiver.received[0].body
    alert = receiver.received[0]
    assert webhook_signing.verify("s3cret", alert.body, alert.headers[webhook_signing.SIGNATURE_HEADER], time.time())
    assert (tmp_path / "drift.png").read_bytes().startswith(b"\x89PNG")
    expected = drift.compare(model.report["drift_reference"], model.schema, shifted, answers(model, shifted))
    assert np.isclose(json.loads(receiver.received[0].body)["feature_psi"]["income"], expected.feature_psi["income"])
