"""Held-out metrics for a probability model, as plain JSON-ready values."""

from __future__ import annotations

from typing import Any

import numpy as np
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
