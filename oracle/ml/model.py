"""A served model: artifact + schema + report from one directory, and batch inference on request integers."""

from __future__ import annotations

import hmac
import json
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from oracle.ml.artifact import TRUSTED_TYPES, load_model
from oracle.ml.errors import ArtifactError, InvalidOutput, SchemaHashMismatch
from oracle.ml.fast_path import compile_scorer
from oracle.ml.model_directory import ARTIFACT_FILE, REPORT_FILE, SCHEMA_FILE
from oracle.ml.schema import FeatureSchema
from oracle.types import Status

# In output units (basis points for a probability): a fast-path answer this close to a rounding boundary is
# re-scored by scikit-learn. The fast paths agree with it to ~1e-9 of a unit or better (bit-exact for trees).
GUARD = 1e-6

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    """One answer: `value` is fixed-point in the schema's output scale, 0 unless status is OK."""

    status: Status
    value: int = 0


INVALID_INPUT = Prediction(Status.INVALID_INPUT)
MODEL_ERROR = Prediction(Status.MODEL_ERROR)


ANSWER_TABLE = 1 << 16  # outputs with at most this many fixed-point values share prebuilt Prediction objects


def _answer_table(schema: FeatureSchema) -> tuple[int, list[Prediction]] | None:
    """(lowest fixed-point output, the OK Prediction of each value from it up) when the range is small, so
    that encoding a batch picks answers instead of building one object per row."""
    output = schema.output
    lowest, highest = math.floor(output.min * output.scale), math.ceil(output.max * output.scale)
    if highest - lowest >= ANSWER_TABLE:
        return None
    return lowest, [Prediction(Status.OK, value) for value in range(lowest, highest + 1)]


class LoadedModel:
    """A fitted binary classifier with its schema; predicts P(class 1) for each request."""

    def __init__(
        self,
        estimator: Any,
        schema: FeatureSchema,
        artifact_hash: bytes,
        report: Mapping[str, Any],
        *,
        compiled: bool = True,
    ) -> None:
        """`compiled`: score through oracle.ml.fast_path when the estimator's shape allows (False: always
        scikit-learn's predict_proba, the reference)."""
        classes = list(getattr(estimator, "classes_", []))
        if not hasattr(estimator, "predict_proba") or 1 not in classes:
            raise ArtifactError("artifact is not a fitted classifier with a class 1")
        expected = getattr(estimator, "n_features_in_", len(schema.features))
        if expected != len(schema.features):
            raise ArtifactError(f"artifact expects {expected} features, the schema has {len(schema.features)}")
        self._estimator = estimator
        self._positive = classes.index(1)
        self._fast = compile_scorer(estimator) if compiled else None
        # np.rint(p * scale) is within GUARD / 4 of the decimal product only while ulps stay small
        self._vector_encode = schema.output.scale * max(abs(schema.output.min), abs(schema.output.max)) < 2**26
        self._answers = _answer_table(schema)
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
        valid rows are scored together in a single batch."""
        rows, positions = self.schema.decode_batch(features_batch)
        if len(positions) == len(features_batch):
            return self._score(rows)
        results = [INVALID_INPUT] * len(features_batch)
        if positions:
            for position, prediction in zip(positions, self._score(rows), strict=True):
                results[position] = prediction
        return results

    def reference_probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(class 1) from the artifact's own predict_proba (the definition the fast path is held to)."""
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return np.asarray(self._estimator.predict_proba(rows), dtype=np.float64)[:, self._positive]

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(class 1) of decoded rows: the compiled scorer, with every row it cannot score, or whose answer
        lies within GUARD of a rounding boundary or of the output's range, re-scored by scikit-learn."""
        if self._fast is None:
            return self.reference_probabilities(rows)
        probabilities = self._fast.probability(rows)
        close = np.flatnonzero(self._near_a_boundary(probabilities))
        if len(close):
            probabilities[close] = self.reference_probabilities(rows[close])
        return probabilities

    def _near_a_boundary(self, probabilities: np.ndarray) -> np.ndarray:
        output = self.schema.output
        scaled = probabilities * output.scale
        halfway = np.abs(scaled - np.floor(scaled) - 0.5) < GUARD
        edge = (np.abs(scaled - output.min * output.scale) < GUARD) | (
            np.abs(scaled - output.max * output.scale) < GUARD
        )
        near: np.ndarray = ~np.isfinite(probabilities) | halfway | edge
        return near

    def _score(self, rows: np.ndarray) -> list[Prediction]:
        try:
            probabilities = self.probabilities(rows)
        except Exception:  # any failure inside the model becomes an on-chain MODEL_ERROR, never silence
            log.exception("model %s failed on a batch of %d rows", self.name, len(rows))
            return [MODEL_ERROR] * len(rows)
        return self._encode(probabilities)

    def _encode(self, probabilities: np.ndarray) -> list[Prediction]:
        """Output.encode of each probability; numpy's round-half-even agrees with its decimal rule everywhere
        but within GUARD of a half, where the decimal rule itself decides."""
        output = self.schema.output
        in_range = np.isfinite(probabilities) & (probabilities >= output.min) & (probabilities <= output.max)
        scaled = probabilities * output.scale
        exact = ~in_range | (np.abs(scaled - np.floor(scaled) - 0.5) < GUARD) | (not self._vector_encode)
        if self._answers is not None:
            lowest, answers = self._answers
            at = np.where(in_range, np.rint(scaled) - lowest, 0).astype(np.int64).tolist()
            results = list(map(answers.__getitem__, at))
        else:
            fixed = np.where(in_range, np.rint(scaled), 0).astype(np.int64).tolist()
            results = [Prediction(Status.OK, value) for value in fixed]
        for i in np.flatnonzero(exact).tolist():
            results[i] = self._to_prediction(float(probabilities[i]))
        return results

    def _to_prediction(self, probability: float) -> Prediction:
        try:
            return Prediction(Status.OK, self.schema.output.encode(probability))
        except InvalidOutput:
            log.error("model %s produced %r, outside its output range", self.name, probability)
            return MODEL_ERROR
