"""Shared training steps: compare candidates by cross-validation, save the chosen one and prove the
saved artifact predicts exactly like the fitted estimator."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, cross_val_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from oracle.ml.artifact import deserialize
from oracle.ml.model_directory import ARTIFACT_FILE
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, evaluation, rounding
from oracle.ml.training.progress import Advance
from oracle.ml.training.report import ArtifactFiles, CandidateScores

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
    cv: BaseCrossValidator | Iterable[tuple[np.ndarray, np.ndarray]],
    groups: np.ndarray | None = None,
    advance: Advance = lambda: None,
    comparison_only: Collection[str] = (),
) -> tuple[dict[str, CandidateScores], str]:
    """Cross-validate and fit every candidate (in place); returns the table and the chosen name. Held-out
    figures of every candidate are reported next to the CV score, never used to choose. Candidates named
    in `comparison_only` (a design given up, e.g. one reading an input no real logger has) are measured
    and reported but never chosen."""
    splits = list(cv.split(x_train, y_train, groups) if isinstance(cv, BaseCrossValidator) else cv)
    # one thread: OpenMP/BLAS spin-waiting on a busy machine once slowed HistGradientBoosting 70x; also one
    # BLAS kernel path per run, which keeps the fitted floats (before rounding) the same from run to run
    with threadpool_limits(limits=1):
        table: dict[str, CandidateScores] = {}
        for name, model in models.items():
            scores = cross_val_score(clone(model), x_train, y_train, cv=splits, scoring="roc_auc")
            model.fit(x_train, y_train)
            p = model.predict_proba(x_test)[:, 1]
            held_out = evaluation.metrics(y_test, p)
            iterations = getattr(model[-1], "n_iter_", None)
            stopped_early = getattr(model[-1], "early_stopping", False) is True
            table[name] = CandidateScores(
                cv_roc_auc_mean=round(float(scores.mean()), 6),
                cv_roc_auc_std=round(float(scores.std()), 6),
                held_out_roc_auc=held_out.roc_auc,
                held_out_brier=held_out.brier,
                held_out_ece=round(evaluation.expected_calibration_error(y_test, p), 6),
                boosting_iterations=int(iterations) if stopped_early and iterations is not None else None,
            )
            advance()
    eligible = [name for name in table if name not in comparison_only]
    return table, max(eligible, key=lambda name: table[name].cv_roc_auc_mean)


def save_verified(
    out_dir: Path, estimator: Pipeline, schema: FeatureSchema, x_test: np.ndarray
) -> tuple[ArtifactFiles, np.ndarray]:
    """Round the fitted parameters (rounding.RECIPE), write artifact and schema; return their report entries
    and the saved artifact's held-out P(class 1)."""
    rounding.round_fitted(estimator)
    files = bundle.write_artifact_and_schema(out_dir, estimator, schema)
    served = deserialize((out_dir / ARTIFACT_FILE).read_bytes(), bytes.fromhex(files.artifact.sha256))
    p = served.predict_proba(x_test)[:, 1]
    if not np.array_equal(p, estimator.predict_proba(x_test)[:, 1]):
        raise RuntimeError("the saved artifact predicts differently from the fitted pipeline")
    return files, p
