"""Held-out metrics for a probability model, as typed report sections (floats rounded to 6 decimals)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, confusion_matrix, log_loss, roc_auc_score

from oracle.ml.training import bootstrap
from oracle.ml.training.report import (
    ApprovalOutcome,
    AucInterval,
    Baselines,
    CalibrationBin,
    Confusion,
    GroupMetrics,
    HeldOut,
    HeldOutIntervals,
    Metrics,
    ThresholdOutcome,
)


def _r(value: float) -> float:
    return round(float(value), 6)


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    """Equal-width bins of predicted probability: count, mean prediction, observed rate (non-empty bins)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append(
                CalibrationBin(
                    lower=_r(edges[b]),
                    upper=_r(edges[b + 1]),
                    count=int(mask.sum()),
                    mean_predicted=_r(p[mask].mean()),
                    observed_rate=_r(y[mask].mean()),
                )
            )
    return out


def _confusion(y: np.ndarray, flagged: np.ndarray) -> tuple[Confusion, float]:
    """The confusion matrix with 'positive' = flagged, and the accuracy."""
    tn, fp, fn, tp = (int(n) for n in confusion_matrix(y, flagged, labels=[0, 1]).ravel())
    return Confusion(tn=tn, fp=fp, fn=fn, tp=tp), _r((tp + tn) / len(y))


def policy_outcome(y: np.ndarray, p: np.ndarray, threshold: float) -> ApprovalOutcome:
    """Decline when p >= threshold: confusion matrix with 'positive' = predicted default (declined)."""
    declined = (p >= threshold).astype(int)
    matrix, accuracy = _confusion(y, declined)
    approved = declined == 0
    return ApprovalOutcome(
        confusion_matrix=matrix,
        accuracy=accuracy,
        approval_rate=_r(approved.mean()),
        default_rate_if_approved=_r(y[approved].mean()) if approved.any() else None,
        recall_of_defaults=_r(matrix.tp / max(matrix.tp + matrix.fn, 1)),
    )


def metrics(y: np.ndarray, p: np.ndarray) -> Metrics:
    """Discrimination, calibration and accuracy against a majority-class baseline."""
    prevalence = float(y.mean())
    return Metrics(
        roc_auc=_r(roc_auc_score(y, p)),
        brier=_r(brier_score_loss(y, p)),
        log_loss=_r(log_loss(y, p, labels=[0, 1])),
        accuracy_at_0_5=_r(((p >= 0.5) == y).mean()),
        baseline_majority_accuracy=_r(max(prevalence, 1 - prevalence)),
        baseline_prevalence_brier=_r(prevalence * (1 - prevalence)),
        positive_rate=_r(prevalence),
    )


def baselines(y_train: np.ndarray, y_test: np.ndarray) -> Baselines:
    """What a model that knows only the training base rate scores on the held-out labels."""
    rate = float(y_train.mean())
    constant = np.full(len(y_test), rate)
    majority = int(rate >= 0.5)
    return Baselines(
        training_positive_rate=_r(rate),
        base_rate_roc_auc=0.5,
        base_rate_brier=_r(brier_score_loss(y_test, constant)),
        base_rate_log_loss=_r(log_loss(y_test, constant, labels=[0, 1])),
        majority_class=majority,
        majority_accuracy=_r((y_test == majority).mean()),
    )


def threshold_outcome(y: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdOutcome:
    """Flag when score >= threshold: confusion matrix with 'positive' = flagged."""
    flagged = (scores >= threshold).astype(int)
    matrix, accuracy = _confusion(y, flagged)
    tn, fp, fn, tp = matrix.tn, matrix.fp, matrix.fn, matrix.tp
    return ThresholdOutcome(
        confusion_matrix=matrix,
        accuracy=accuracy,
        flagged_rate=_r(flagged.mean()),
        precision=_r(tp / (tp + fp)) if tp + fp else None,
        recall=_r(tp / max(tp + fn, 1)),
        false_positive_rate=_r(fp / max(fp + tn, 1)),
    )


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Row-weighted mean gap |mean prediction - observed rate| over equal-width probability bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    gap = np.abs(np.bincount(index, weights=p, minlength=bins) - np.bincount(index, weights=y, minlength=bins))
    return float(gap.sum() / max(counts.sum(), 1))


def roc_auc_interval(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    *,
    group_name: str,
    seed: int,
    reps: int = 500,
    level: float = 0.95,
) -> AucInterval:
    """Percentile interval of ROC AUC over a bootstrap that resamples whole groups (e.g. days)."""
    bounds = bootstrap.intervals(y, p, groups, {"roc_auc": bootstrap.rank_auc}, seed=seed, reps=reps, level=level)
    auc = bounds["roc_auc"]
    if auc is None:
        raise ValueError("no bootstrap draw held both classes")
    return AucInterval(level=level, resampled=bootstrap.resampled(group_name), reps=reps, low=auc.low, high=auc.high)


def evaluate(
    y_train: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    *,
    group_name: str,
    seed: int,
    reps: int = 500,
) -> HeldOut:
    """Held-out headline: metrics, ECE, the base-rate comparison (Brier skill = 1 - Brier / base-rate
    Brier, where the base rate is the training positive rate) and grouped bootstrap intervals."""
    base = float(brier_score_loss(y, np.full(len(y), float(y_train.mean()))))
    statistics: dict[str, bootstrap.Statistic] = {
        "roc_auc": bootstrap.rank_auc,
        "brier": bootstrap.brier,
        "ece": expected_calibration_error,
        "brier_skill": lambda yb, pb: (
            1 - bootstrap.brier(yb, pb) / max(bootstrap.brier(yb, np.full(len(yb), y_train.mean())), 1e-12)
        ),
        "mean_predicted_minus_observed": lambda yb, pb: float(pb.mean() - yb.mean()),
    }
    level = 0.95
    bounds = bootstrap.intervals(y, p, groups, statistics, seed=seed, reps=reps, level=level)
    return HeldOut(
        **dict(metrics(y, p)),
        ece=_r(expected_calibration_error(y, p)),
        base_rate_brier=_r(base),
        brier_skill=_r(1 - brier_score_loss(y, p) / base),
        mean_predicted=_r(p.mean()),
        mean_predicted_minus_observed=_r(p.mean() - y.mean()),
        intervals=HeldOutIntervals(level=level, resampled=bootstrap.resampled(group_name), reps=reps, **bounds),
    )


def by_group(y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold: float) -> dict[str, GroupMetrics]:
    """Per-group count, positive rate, mean prediction, flagged rate and AUC (when defined)."""
    out: dict[str, GroupMetrics] = {}
    for group in sorted(set(groups.tolist())):
        mask = groups == group
        yg, pg = y[mask], p[mask]
        out[str(group)] = GroupMetrics(
            count=int(mask.sum()),
            positive_rate=_r(yg.mean()),
            mean_predicted=_r(pg.mean()),
            flagged_rate=_r((pg >= threshold).mean()),
            roc_auc=_r(roc_auc_score(yg, pg)) if 0 < yg.sum() < len(yg) else None,
        )
    return out
