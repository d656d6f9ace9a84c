"""delivery-delay: schema and categorical codes, no leakage, committed report and held-out rows,
serving, and reproducible training."""

import csv
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oracle.ml.errors import ArtifactHashMismatch, InvalidFeatures, SchemaHashMismatch
from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import flights_data
from oracle.ml.training.delivery_delay import MODEL_NAME, train
from oracle.ml.training.encoding import encode_frame
from oracle.types import Status
from tests.oracle.ml.committed_model import FILES, feature_rows, read_held_out, read_report, train_twice

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / MODEL_NAME
OUTPUT = "expected_p_late_bps"
JFK_TO_LAX = {
    "carrier": "AA",
    "origin": "JFK",
    "dest": "LAX",
    "distance_miles": 2475,
    "sched_dep_minute": 18 * 60,
    "sched_arr_minute": 21 * 60 + 25,
    "month": "dec",
    "day_of_week": "fri",
}


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
    return flights_data.read().set_index("rownames", drop=False)


def test_committed_directory_has_every_file():
    assert FILES <= {path.name for path in MODEL_DIR.iterdir()}


def test_committed_schema_is_canonical_and_registered_in_the_report(model, report, source):
    data = (MODEL_DIR / "schema.json").read_bytes()
    assert FeatureSchema.from_bytes(data).to_bytes() == data
    assert hashlib.sha256(data).hexdigest() == report["schema"]["sha256"] == model.schema_hash.hex()
    assert flights_data.build_schema(MODEL_NAME, flights_data.destinations(source)).to_bytes() == data


def test_schema_holds_only_features_known_before_departure(model):
    assert model.schema.feature_names == [
        "carrier",
        "origin",
        "dest",
        "distance_miles",
        "sched_dep_minute",
        "sched_arr_minute",
        "month",
        "day_of_week",
    ]
    assert [len(model.schema.features[i].categories) for i in (0, 1, 2, 6, 7)] == [16, 3, 105, 12, 7]


def test_features_do_not_change_when_actual_times_and_delays_change(source):
    flights = source.iloc[:500]
    altered = flights.assign(
        dep_time=np.nan, dep_delay=999.0, arr_time=np.nan, arr_delay=-999.0, air_time=1.0, tailnum="N0", flight=1
    )
    pd.testing.assert_frame_equal(flights_data.features_frame(flights), flights_data.features_frame(altered))


def test_encode_uses_category_codes_and_round_trips(model):
    fixed = model.schema.encode(JFK_TO_LAX)
    dest_codes = {c.label: c.code for c in model.schema.features[2].categories}
    assert fixed == [1, 1, dest_codes["LAX"], 2475, 1080, 1285, 12, 4]
    assert model.schema.encode({**JFK_TO_LAX, "carrier": 1, "origin": 1, "month": 12, "day_of_week": 4}) == fixed
    assert model.schema.decode(fixed).tolist() == [float(v) for v in fixed]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"carrier": "ZZ"}, "unknown category label"),
        ({"carrier": 16}, "unknown category code"),
        ({"origin": "BOS"}, "unknown category label"),
        ({"dest": "XXX"}, "unknown category label"),
        ({"month": 0}, "unknown category code"),
        ({"month": "jan."}, "unknown category label"),
        ({"day_of_week": 7}, "unknown category code"),
        ({"sched_dep_minute": 1440}, "outside"),
        ({"sched_arr_minute": -1}, "outside"),
        ({"distance_miles": 0}, "outside"),
        ({"distance_miles": 6001}, "outside"),
        ({"distance_miles": float("nan")}, "not a finite number"),
    ],
)
def test_encode_refuses_values_outside_the_schema(model, change, match):
    with pytest.raises(InvalidFeatures, match=match):
        model.schema.encode({**JFK_TO_LAX, **change})


@pytest.mark.parametrize(("index", "value"), [(0, -1), (0, 16), (1, 3), (2, 105), (3, 6001), (6, 13), (7, -1)])
def test_predict_answers_invalid_input_for_a_bad_integer(model, held_out, index, value):
    row = feature_rows(held_out[:1], model.schema)[0]
    row[index] = value
    assert model.predict([row])[0].status == Status.INVALID_INPUT


def test_late_label_follows_the_sla(source):
    flights = pd.DataFrame({"arr_delay": [-5.0, 15.0, 15.5, 16.0, np.nan]})
    assert flights_data.late(flights).tolist() == [0, 0, 1, 1, 1]


def test_committed_report_beats_the_base_rate_and_the_carrier_lookup(report):
    held, base = report["held_out"], report["baselines"]
    assert held["roc_auc"] >= 0.62
    assert held["intervals"]["roc_auc"]["low"] > 0.6 and held["intervals"]["resampled"] == "days with replacement"
    assert held["brier_skill"] > 0 and 0 <= held["ece"] < 0.1
    assert held["roc_auc"] > base["carrier_rate"]["roc_auc"]
    assert held["brier"] < base["carrier_rate"]["brier"] < base["base_rate_brier"]
    assert held["log_loss"] < base["base_rate_log_loss"]


def test_committed_alert_policy_covers_every_held_out_flight(report):
    policy = report["policy"]
    assert sum(policy["confusion_matrix"].values()) == report["dataset"]["rows_held_out"]
    assert policy["precision"] > report["held_out"]["positive_rate"]


def test_committed_split_is_time_forward_and_the_random_day_figure_sits_beside_it(report, held_out, source):
    data = report["dataset"]
    assert data["days_train"] == 273 and data["days_held_out"] == 92  # Jan-Sep, Oct-Dec
    assert data["rows_train"] + data["rows_held_out"] == data["rows_used"] == data["rows_total"]
    assert set(source.loc[[row["row_id"] for row in held_out], "month"]) == {10, 11, 12}
    assert report["random_day_split"]["roc_auc"] > report["held_out"]["roc_auc"]  # a random split flatters


def test_committed_model_ignores_the_month_it_cannot_carry_over_a_year(model, held_out, report):
    assert report["features"]["accepted_but_ignored"] == ["month"]
    rows = feature_rows(held_out[:50], model.schema)
    month = model.schema.feature_names.index("month")
    answers = [p.value for p in model.predict(rows)]
    for code in (1, 6, 12):
        shifted = [[*row[:month], code, *row[month + 1 :]] for row in rows]
        assert [p.value for p in model.predict(shifted)] == answers


def test_candidates_were_chosen_on_time_forward_months_and_boosting_stopped_early(report):
    training = report["training"]
    assert training["chosen"] != training["baseline"]
    assert training["cv"].startswith("time-forward")
    boosting = training["candidates"]["hist_gradient_boosting"]
    assert boosting["boosting_iterations"] < 500


def test_held_out_csv_has_the_schema_columns_in_order(model):
    with open(MODEL_DIR / "held_out.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["row_id", *model.schema.feature_names, "label", OUTPUT]


def test_held_out_rows_match_the_source_flights(model, held_out, report, source):
    flights = source.loc[[row["row_id"] for row in held_out]]
    fixed, keep = encode_frame(flights_data.features_frame(flights), model.schema)
    assert keep.all() and len(held_out) == report["dataset"]["rows_held_out_csv"]
    assert fixed.tolist() == feature_rows(held_out, model.schema)
    assert [row["label"] for row in held_out] == flights_data.late(flights).tolist()


def test_held_out_rows_reproduce_the_expected_p_late_through_loaded_model(model, held_out):
    predictions = model.predict(feature_rows(held_out, model.schema))
    assert {p.status for p in predictions} == {Status.OK}
    assert [p.value for p in predictions] == [row[OUTPUT] for row in held_out]
    scores = np.array([p.value for p in predictions])
    labels = np.array([row["label"] for row in held_out])
    assert scores[labels == 1].mean() > scores[labels == 0].mean() + 500


def test_from_dir_refuses_another_models_artifact_hash():
    other = LoadedModel.from_dir(MODEL_DIR.parent / "shipment-condition").artifact_hash
    with pytest.raises(ArtifactHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, artifact_hash=other)


def test_from_dir_refuses_another_schema_hash():
    with pytest.raises(SchemaHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, schema_hash=hashlib.sha256(b"another schema").digest())


def test_training_on_a_subsample_is_byte_reproducible(tmp_path):
    first = train_twice(train, tmp_path, max_rows=3000)
    assert first.dataset.rows_used == 3000 and first.training.subsample.startswith("3000 flights")
    assert first.held_out.roc_auc > 0.55
