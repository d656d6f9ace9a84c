"""A served model: artifact + schema + report from one directory, and batch inference on request integers."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oracle.ml.artifact import TRUSTED_TYPES, load_model
from oracle.ml.errors import ArtifactError, InvalidFeatures, InvalidOutput, SchemaHashMismatch
from oracle.ml.model_directory import ARTIFACT_FILE, REPORT_FILE, SCHEMA_FILE
from oracle.ml.schema import FeatureSchema
from oracle.types import Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    """One answer: `value` is fixed-point in the schema's output scale, 0 unless status is OK."""

    status: Status
    value: int = 0


INVALID_INPUT = Prediction(Status.INVALID_INPUT)
MODEL_ERROR = Prediction(Status.MODEL_ERROR)


class LoadedModel:
    """A fitted binary classifier with its schema; predicts P(class 1) for each request."""

    def __init__(self, estimator: Any, schema: FeatureSchema, artifact_hash: bytes, report: Mapping[str, Any]) -> None:
        classes = list(getattr(estimator, "classes_", []))
        if not hasattr(estimator, "predict_proba") or 1 not in classes:
            raise ArtifactError("artifact is not a fitted classifier with a class 1")
        expected = getattr(estimator, "n_features_in_", len(schema.features))
        if expected != len(schema.features):
            raise ArtifactError(f"artifact expects {expected} features, the schema has {len(schema.features)}")
        self._estimator = estimator
        self._positive = classes.index(1)
        self.schema = schema
        self.artifact_hash = artifact_hash
        self.report = report

    @classmethod
    def from_dir(
        cls,
        directory: str | Path,
        *,
        artifact_hash: bytes | None = None,
        schema_hash: bytes | None = None,
        trusted: Collection[str] = TRUSTED_TYPES,
    ) -> LoadedModel:
        """Load a model directory. Expected hashes default to report.json's; pass the registered
        on-chain hashes to pin them. Raises ArtifactHashMismatch / SchemaHashMismatch."""
        directory = Path(directory)
        report = json.loads((directory / REPORT_FILE).read_text())
        expected_schema = bytes.fromhex(report["schema"]["sha256"]) if schema_hash is None else schema_hash
        schema = FeatureSchema.from_file(directory / SCHEMA_FILE)
        if not hmac.compare_digest(schema.sha256, expected_schema):
            raise SchemaHashMismatch("feature schema", expected_schema, schema.sha256)
        expected_artifact = bytes.fromhex(report["artifact"]["sha256"]) if artifact_hash is None else artifact_hash
        estimator = load_model(directory / ARTIFACT_FILE, expected_artifact, trusted)
        return cls(estimator, schema, expected_artifact, report)

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def schema_hash(self) -> bytes:
        return self.schema.sha256

    @property
    def estimator(self) -> Any:
        return self._estimator

    def predict(self, features_batch: Sequence[Sequence[int]]) -> list[Prediction]:
        """One Prediction per request, in order. Invalid rows get INVALID_INPUT and never raise;
        valid rows are scored together in a single predict_proba call."""
        results: list[Prediction] = []
        rows: list[np.ndarray] = []
        positions: list[int] = []
        for features in features_batch:
            try:
                rows.append(self.schema.decode(features))
            except InvalidFeatures:
                results.append(INVALID_INPUT)
            else:
                positions.append(len(results))
                results.append(MODEL_ERROR)  # replaced below
        if rows:
            for position, prediction in zip(positions, self._score(np.vstack(rows)), strict=True):
                results[position] = prediction
        return results

    def _score(self, rows: np.ndarray) -> list[Prediction]:
        try:
            probabilities = np.asarray(self._estimator.predict_proba(rows), dtype=np.float64)[:, self._positive]
        except Exception:  # any failure inside the model becomes an on-chain MODEL_ERROR, never silence
            log.exception("model %s failed on a batch of %d rows", self.name, len(rows))
            return [MODEL_ERROR] * len(rows)
        return [self._to_prediction(float(p)) for p in probabilities]

    def _to_prediction(self, probability: float) -> Prediction:
        try:
            return Prediction(Status.OK, self.schema.output.encode(probability))
        except InvalidOutput:
            log.error("model %s produced %r, outside its output range", self.name, probability)
            return MODEL_ERROR
