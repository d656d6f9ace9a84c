"""Percentile intervals from a bootstrap that resamples whole groups (days, city-weeks, or single rows):
rows of one group share conditions and are not independent, so they are drawn together."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from scipy.stats import rankdata

from oracle.ml.training.report import Bounds

Statistic = Callable[[np.ndarray, np.ndarray], float | None]


def rank_auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """ROC AUC as the Mann-Whitney statistic (ties count half), the value roc_auc_score returns, without
    its per-call validation cost; None when only one class is present."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = rankdata(p)[y == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def group_draws(groups: np.ndarray, *, seed: int, reps: int) -> list[np.ndarray]:
    """`reps` row-index arrays, each the rows of len(unique groups) groups drawn with replacement."""
    rng = np.random.default_rng(seed)
    _, group_index = np.unique(groups, return_inverse=True)
    members = np.argsort(group_index, kind="stable")
    starts = np.searchsorted(group_index[members], np.arange(group_index.max() + 2))
    count = len(starts) - 1
    draws = []
    for _ in range(reps):
        picked = rng.integers(0, count, count)
        draws.append(np.concatenate([members[starts[g] : starts[g + 1]] for g in picked]))
    return draws


def resampled(group_name: str) -> str:
    """How the draws were made, as the report says it."""
    return f"{group_name} with replacement"


def intervals(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    statistics: Mapping[str, Statistic],
    *,
    seed: int,
    reps: int = 500,
    level: float = 0.95,
) -> dict[str, Bounds | None]:
    """{statistic: its percentile bounds}; a draw where a statistic is undefined (None, e.g. AUC with one
    class) is skipped for that statistic, and a statistic no draw defined has None."""
    values: dict[str, list[float]] = {name: [] for name in statistics}
    for rows in group_draws(groups, seed=seed, reps=reps):
        for name, statistic in statistics.items():
            value = statistic(y[rows], p[rows])
            if value is not None:
                values[name].append(value)
    tail = (1 - level) / 2
    return {
        name: Bounds(low=round(float(np.quantile(drawn, tail)), 6), high=round(float(np.quantile(drawn, 1 - tail)), 6))
        if drawn
        else None
        for name, drawn in values.items()
    }
