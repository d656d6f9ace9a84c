"""Shared training steps: compare candidates by cross-validation, save the chosen one and prove the
saved artifact predicts exactly like the fitted estimator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, cross_val_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from oracle.ml.artifact import deserialize
from oracle.ml.model import ARTIFACT_FILE
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, evaluation

SELECTION_RULE = (
    "highest mean cross-validated ROC AUC on the training split "
    "(held-out AUC of every candidate is reported, not used to choose)"
)


def compare_candidates(
    models: dict[str, Pipeline],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    cv: BaseCrossValidator,
    groups: np.ndarray | None = None,
) -> tuple[dict[str, dict[str, float]], str]:
    """Cross-validate and fit every candidate (in place); returns the table and the chosen name."""
    # one thread: OpenMP/BLAS spin-waiting on a busy machine once slowed HistGradientBoosting 70x
    with threadpool_limits(limits=1):
        table: dict[str, dict[str, float]] = {}
        for name, model in models.items():
            scores = cross_val_score(clone(model), x_train, y_train, groups=groups, cv=cv, scoring="roc_auc")
            model.fit(x_train, y_train)
            table[name] = {
                "cv_roc_auc_mean": round(float(scores.mean()), 6),
                "cv_roc_auc_std": round(float(scores.std()), 6),
                "held_out_roc_auc": evaluation.metrics(y_test, model.predict_proba(x_test)[:, 1])["roc_auc"],
            }
    return table, max(table, key=lambda name: table[name]["cv_roc_auc_mean"])


def save_verified(
    out_dir: Path, estimator: Pipeline, schema: FeatureSchema, x_test: np.ndarray
) -> tuple[dict[str, Any], np.ndarray]:
    """Write artifact and schema; return their report entries and the saved artifact's held-out P(class 1)."""
    files = bundle.write_artifact_and_schema(out_dir, estimator, schema)
    served = deserialize((out_dir / ARTIFACT_FILE).read_bytes(), bytes.fromhex(files["artifact"]["sha256"]))
    p = served.predict_proba(x_test)[:, 1]
    if not np.array_equal(p, estimator.predict_proba(x_test)[:, 1]):
        raise RuntimeError("the saved artifact predicts differently from the fitted pipeline")
    return files, p
