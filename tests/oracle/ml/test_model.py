"""LoadedModel: loading a model directory with hash checks, and batch inference on request integers."""

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from oracle.ml.errors import ArtifactHashMismatch, SchemaHashMismatch
from oracle.ml.model import LoadedModel, Prediction
from oracle.ml.model_directory import ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.types import Status

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="module")
def held_out(model) -> list[dict[str, int]]:
    return ModelDirectory(MODEL_DIR).held_out_rows()


def features(rows, model):
    return [[row[name] for name in model.schema.feature_names] for row in rows]


class Probe:
    """A stand-in estimator that records its calls and returns a fixed probability or raises."""

    classes_ = np.array([0, 1])
    n_features_in_ = 11

    def __init__(self, probability=0.25, error=None):
        self.calls: list[np.ndarray] = []
        self.probability, self.error = probability, error

    def predict_proba(self, rows):
        self.calls.append(rows)
        if self.error:
            raise self.error
        return np.column_stack([1 - np.full(len(rows), self.probability), np.full(len(rows), self.probability)])


def probe_model(model, estimator) -> LoadedModel:
    return LoadedModel(estimator, model.schema, model.artifact_hash, model.report)


def test_from_dir_exposes_name_hashes_and_schema(model):
    assert model.name == "credit-risk"
    assert model.artifact_hash == hashlib.sha256((MODEL_DIR / "model.skops").read_bytes()).digest()
    assert model.schema_hash == hashlib.sha256((MODEL_DIR / "schema.json").read_bytes()).digest()
    assert len(model.artifact_hash) == len(model.schema_hash) == 32
    assert isinstance(model.schema, FeatureSchema)
    assert model.schema.output.scale == 10000


def test_predict_on_held_out_rows_equals_pipeline_predict_proba_in_basis_points(model, held_out):
    batch = features(held_out, model)
    probabilities = model.estimator.predict_proba(np.array(batch, dtype=float))[:, 1]
    predictions = model.predict(batch)
    assert [p.status for p in predictions] == [Status.OK] * len(batch)
    assert [p.value for p in predictions] == [round(float(p) * 10000) for p in probabilities]
    assert [p.value for p in predictions] == [row["expected_pd_bps"] for row in held_out]


def test_predict_marks_each_invalid_row_and_scores_the_rest(model, held_out):
    good = features(held_out[:2], model)
    out_of_range = [*good[0][:3], 10**9, *good[0][4:]]
    unknown_home = [*good[0][:8], 99, *good[0][9:]]
    batch = [good[0], good[0][:-1], out_of_range, unknown_home, [*good[0][:-1], 1.0], None, "abc", good[1]]
    predictions = model.predict(batch)
    assert [p.status for p in predictions] == [Status.OK] + [Status.INVALID_INPUT] * 6 + [Status.OK]
    assert all(p.value == 0 for p in predictions[1:-1])
    assert [predictions[0], predictions[-1]] == model.predict(good)


def test_predict_scores_all_valid_rows_in_one_call(model, held_out):
    probe = Probe()
    batch = features(held_out[:5], model)
    predictions = probe_model(model, probe).predict([batch[0], [1], *batch[1:]])
    assert len(probe.calls) == 1 and probe.calls[0].shape == (5, 11)
    ok = Prediction(Status.OK, 2500)
    assert predictions == [ok, Prediction(Status.INVALID_INPUT, 0), ok, ok, ok, ok]


def test_predict_returns_model_error_when_the_estimator_raises(model, held_out):
    predictions = probe_model(model, Probe(error=RuntimeError("boom"))).predict([features(held_out[:1], model)[0], []])
    assert predictions == [Prediction(Status.MODEL_ERROR, 0), Prediction(Status.INVALID_INPUT, 0)]


@pytest.mark.parametrize("probability", [1.5, -0.1, float("nan")])
def test_predict_returns_model_error_for_an_impossible_probability(model, held_out, probability):
    predictions = probe_model(model, Probe(probability)).predict(features(held_out[:1], model))
    assert predictions == [Prediction(Status.MODEL_ERROR, 0)]


def test_predict_on_an_empty_batch_returns_nothing(model):
    assert model.predict([]) == []


def test_from_dir_refuses_an_artifact_hash_other_than_the_registered_one():
    with pytest.raises(ArtifactHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, artifact_hash=hashlib.sha256(b"another model").digest())


def test_from_dir_refuses_a_schema_hash_other_than_the_registered_one():
    with pytest.raises(SchemaHashMismatch):
        LoadedModel.from_dir(MODEL_DIR, schema_hash=hashlib.sha256(b"another schema").digest())


def test_from_dir_refuses_an_edited_schema_file(tmp_path):
    copy = Path(shutil.copytree(MODEL_DIR, tmp_path / "credit-risk"))
    schema = copy / "schema.json"
    text = schema.read_text()
    schema.write_text(text.replace('"max": 5000.0', '"max": 50000.0'))
    assert schema.read_text() != text
    with pytest.raises(SchemaHashMismatch):
        LoadedModel.from_dir(copy)


def test_from_dir_refuses_a_replaced_artifact(tmp_path):
    copy = Path(shutil.copytree(MODEL_DIR, tmp_path / "credit-risk"))
    artifact = copy / "model.skops"
    artifact.write_bytes(artifact.read_bytes() + b"\0")
    with pytest.raises(ArtifactHashMismatch):
        LoadedModel.from_dir(copy)
