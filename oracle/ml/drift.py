"""Drift: how far the inputs a model is served, and its answers, have moved from its training data.

Per feature, the population stability index (PSI) of a window of served requests against the training
rows, on the training deciles (numeric) or codes (categorical); the same for the answers, and the mean
answer against the training mean. Rule of thumb: PSI < 0.1 stable, 0.1-0.25 moderate, > 0.25 a shift
that needs a look (DEFAULT_ALERT_PSI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from oracle.ml.errors import InvalidFeatures
from oracle.ml.schema import FeatureSchema

BINS = 10
FLOOR = 1e-4  # an empty bin counts as this share, so the log stays finite
DEFAULT_ALERT_PSI = 0.25


def _cuts(values: np.ndarray) -> list[float]:
    inner = np.unique(np.quantile(values, np.linspace(0, 1, BINS + 1)[1:-1], method="lower"))
    return [float(v) for v in inner]


def _shares(index: np.ndarray, bins: int) -> list[float]:
    counts = np.bincount(index, minlength=bins)
    return [round(float(c), 6) for c in counts / max(counts.sum(), 1)]


def _numeric_index(values: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts, dtype=np.float64), values, side="right")


def reference(schema: FeatureSchema, fixed: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """The training distribution to compare against: request integers of the training rows and the model's
    P(class 1) on them (stored in report.json as `drift_reference`)."""
    features: dict[str, Any] = {}
    for column, feature in enumerate(schema.features):
        values = fixed[:, column]
        if feature.kind == "numeric":
            cuts = _cuts(values)
            features[feature.name] = {"cuts": cuts, "shares": _shares(_numeric_index(values, cuts), len(cuts) + 1)}
        else:
            codes = [c.code for c in feature.categories or ()]
            index = np.searchsorted(np.asarray(codes), values)
            features[feature.name] = {"codes": codes, "shares": _shares(index, len(codes))}
    scores = np.rint(np.asarray(p) * schema.output.scale)
    cuts = _cuts(scores)
    return {
        "rows": len(fixed),
        "features": features,
        "prediction": {
            "cuts": cuts,
            "shares": _shares(_numeric_index(scores, cuts), len(cuts) + 1),
            "mean": round(float(np.mean(p)), 6),
        },
    }


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index: sum over bins of (actual - expected) * ln(actual / expected)."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), FLOOR)
    return round(float(np.sum((a - e) * np.log(a / e))), 6)


@dataclass(frozen=True)
class DriftReport:
    window: int
    feature_psi: dict[str, float]
    prediction_psi: float | None
    mean_prediction: float | None
    training_mean_prediction: float

    @property
    def worst(self) -> tuple[str, float]:
        return max(self.feature_psi.items(), key=lambda item: item[1], default=("", 0.0))

    def alerts(self, threshold: float = DEFAULT_ALERT_PSI) -> list[str]:
        out = [f"feature {name}: PSI {value:.3f}" for name, value in self.feature_psi.items() if value > threshold]
        if self.prediction_psi is not None and self.prediction_psi > threshold:
            out.append(f"prediction: PSI {self.prediction_psi:.3f}")
        return out


def compare(
    ref: dict[str, Any], schema: FeatureSchema, rows: Sequence[Sequence[int]], answers: Sequence[int]
) -> DriftReport:
    """PSI of a window of served requests (`rows`, request integers) and their answers (fixed-point) against
    the reference. Rows the schema would refuse are skipped: they were never scored."""
    valid = [row for row in rows if _valid(schema, row)]
    window = np.asarray(valid, dtype=np.float64).reshape(len(valid), len(schema.features))
    feature_psi = {}
    for column, feature in enumerate(schema.features):
        expected = ref["features"][feature.name]
        if not len(window):
            feature_psi[feature.name] = 0.0
            continue
        if feature.kind == "numeric":
            index = _numeric_index(window[:, column], expected["cuts"])
        else:
            index = np.searchsorted(np.asarray(expected["codes"]), window[:, column].astype(np.int64))
        feature_psi[feature.name] = psi(expected["shares"], _shares(index, len(expected["shares"])))
    scores = np.asarray(answers, dtype=np.float64)
    prediction = ref["prediction"]
    return DriftReport(
        window=len(valid),
        feature_psi=feature_psi,
        prediction_psi=psi(
            prediction["shares"], _shares(_numeric_index(scores, prediction["cuts"]), len(prediction["shares"]))
        )
        if len(scores)
        else None,
        mean_prediction=round(float(scores.mean()) / schema.output.scale, 6) if len(scores) else None,
        training_mean_prediction=prediction["mean"],
    )


def _valid(schema: FeatureSchema, row: Sequence[int]) -> bool:
    try:
        schema.decode(row)
    except InvalidFeatures:
        return False
    return True
