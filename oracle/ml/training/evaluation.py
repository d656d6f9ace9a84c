"""Held-out metrics for a probability model, as plain JSON-ready values."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import brier_score_loss, confusion_matrix, log_loss, roc_auc_score


def _r(value: float) -> float:
    return round(float(value), 6)


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width bins of predicted probability: count, mean prediction, observed rate (non-empty bins)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append(
                {
                    "lower": _r(edges[b]),
                    "upper": _r(edges[b + 1]),
                    "count": int(mask.sum()),
                    "mean_predicted": _r(p[mask].mean()),
                    "observed_rate": _r(y[mask].mean()),
                }
            )
    return out


def policy_outcome(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Decline when p >= threshold: confusion matrix with 'positive' = predicted default (declined)."""
    declined = (p >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, declined, labels=[0, 1]).ravel()
    approved = declined == 0
    return {
        "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "accuracy": _r((tp + tn) / len(y)),
        "approval_rate": _r(approved.mean()),
        "default_rate_if_approved": _r(y[approved].mean()) if approved.any() else None,
        "recall_of_defaults": _r(tp / max(tp + fn, 1)),
    }


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Discrimination, calibration and accuracy against a majority-class baseline."""
    prevalence = float(y.mean())
    return {
        "roc_auc": _r(roc_auc_score(y, p)),
        "brier": _r(brier_score_loss(y, p)),
        "log_loss": _r(log_loss(y, p, labels=[0, 1])),
        "accuracy_at_0_5": _r(((p >= 0.5) == y).mean()),
        "baseline_majority_accuracy": _r(max(prevalence, 1 - prevalence)),
        "baseline_prevalence_brier": _r(prevalence * (1 - prevalence)),
        "positive_rate": _r(prevalence),
    }


def group_metrics(y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold: float) -> dict[str, Any]:
    """Per-group count, observed default rate, mean prediction, approval rate and AUC (when defined)."""
    out: dict[str, Any] = {}
    for group in sorted(set(groups.tolist())):
        mask = groups == group
        yg, pg = y[mask], p[mask]
        out[str(group)] = {
            "count": int(mask.sum()),
            "default_rate": _r(yg.mean()),
            "mean_predicted": _r(pg.mean()),
            "approval_rate": _r((pg < threshold).mean()),
            "roc_auc": _r(roc_auc_score(yg, pg)) if 0 < yg.sum() < len(yg) else None,
        }
    return out


def baselines(y_train: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
    """What a model that knows only the training base rate scores on the held-out labels."""
    rate = float(y_train.mean())
    constant = np.full(len(y_test), rate)
    majority = int(rate >= 0.5)
    return {
        "training_positive_rate": _r(rate),
        "base_rate_roc_auc": 0.5,
        "base_rate_brier": _r(brier_score_loss(y_test, constant)),
        "base_rate_log_loss": _r(log_loss(y_test, constant, labels=[0, 1])),
        "majority_class": majority,
        "majority_accuracy": _r((y_test == majority).mean()),
    }


def threshold_outcome(y: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    """Flag when score >= threshold: confusion matrix with 'positive' = flagged."""
    flagged = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, flagged, labels=[0, 1]).ravel()
    return {
        "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
        "accuracy": _r((tp + tn) / len(y)),
        "flagged_rate": _r(flagged.mean()),
        "precision": _r(tp / (tp + fp)) if tp + fp else None,
        "recall": _r(tp / max(tp + fn, 1)),
        "false_positive_rate": _r(fp / max(fp + tn, 1)),
    }


def _rank_auc(y: np.ndarray, p: np.ndarray, positives: int) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half), the value roc_auc_score returns,
    without its per-call validation cost (the bootstrap calls it hundreds of times)."""
    negatives = len(y) - positives
    rank_sum = rankdata(p)[y == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def roc_auc_interval(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    *,
    group_name: str,
    seed: int,
    reps: int = 500,
    level: float = 0.95,
) -> dict[str, Any]:
    """Percentile interval of ROC AUC over a bootstrap that resamples whole groups (e.g. days), since
    rows of one group share conditions and are not independent."""
    rng = np.random.default_rng(seed)
    _, group_index = np.unique(groups, return_inverse=True)
    members = np.argsort(group_index, kind="stable")
    starts = np.searchsorted(group_index[members], np.arange(group_index.max() + 2))
    aucs = []
    for _ in range(reps):
        picked = rng.integers(0, len(starts) - 1, len(starts) - 1)
        rows = np.concatenate([members[starts[g] : starts[g + 1]] for g in picked])
        positives = int(y[rows].sum())
        if 0 < positives < len(rows):
            aucs.append(_rank_auc(y[rows], p[rows], positives))
    tail = (1 - level) / 2
    return {
        "level": level,
        "resampled": f"{group_name} with replacement",
        "reps": reps,
        "low": _r(np.quantile(aucs, tail)),
        "high": _r(np.quantile(aucs, 1 - tail)),
    }


def by_group(y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold: float) -> dict[str, Any]:
    """Per-group count, positive rate, mean prediction, flagged rate and AUC (when defined)."""
    out: dict[str, Any] = {}
    for group in sorted(set(groups.tolist())):
        mask = groups == group
        yg, pg = y[mask], p[mask]
        out[str(group)] = {
            "count": int(mask.sum()),
            "positive_rate": _r(yg.mean()),
            "mean_predicted": _r(pg.mean()),
            "flagged_rate": _r((pg >= threshold).mean()),
            "roc_auc": _r(roc_auc_score(yg, pg)) if 0 < yg.sum() < len(yg) else None,
        }
    return out
