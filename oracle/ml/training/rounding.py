"""Round every fitted floating-point parameter before saving, so the artifact's bytes do not depend on
the machine's BLAS kernels.

A fit built on BLAS dot products lands on coefficients that differ in the last bits between OpenBLAS
kernels (Haswell, SkylakeX, Prescott...) or CPUs. L-BFGS stops at a gradient tolerance, so there the
differences grow to ~1e-11; the logistic models therefore use Newton-Cholesky with tol 1e-10, which
converges quadratically and leaves ~1e-14. Rounded to DECIMALS decimal places, those disappear; they
survive only when a value lies within ~1e-14 of a rounding boundary (a few chances in a million per
parameter). Predictions move by ~1e-8, far below the 1e-4 of an answer in basis points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

DECIMALS = 8
SOLVER, TOLERANCE = "newton-cholesky", 1e-10  # what the logistic candidates use (see above)
RECIPE = (
    f"every fitted float parameter (scikit-learn attributes ending in '_') rounded to {DECIMALS} decimal places "
    "before saving; logistic models solved by Newton-Cholesky to tol 1e-10; BLAS and OpenMP limited to one "
    "thread while fitting"
)


def round_decimals(values: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Every element rounded to `decimals` decimal places (a deterministic function of its input bits)."""
    return np.round(np.asarray(values, dtype=np.float64), decimals)


def _round_value(value: Any, seen: set[int]) -> Any:
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return round_decimals(value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        rounded = np.empty_like(value)
        for index, item in np.ndenumerate(value):
            rounded[index] = _round_value(item, seen)
        return rounded
    if isinstance(value, float):
        return float(round_decimals(np.array([value]))[0])
    if isinstance(value, list):
        return [_round_value(item, seen) for item in value]
    if isinstance(value, tuple):
        return tuple(_round_value(item, seen) for item in value)
    if isinstance(value, BaseEstimator):
        round_fitted(value, seen)
    return value


def round_fitted(estimator: BaseEstimator, seen: set[int] | None = None) -> BaseEstimator:
    """Round, in place, the fitted attributes of `estimator` and of every estimator nested in them
    (pipeline steps, column transformers); returns it."""
    seen = set() if seen is None else seen
    if id(estimator) in seen:
        return estimator
    seen.add(id(estimator))
    for name, value in vars(estimator).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(estimator, name, _round_value(value, seen))
        elif name in ("steps", "transformers") and isinstance(value, list):
            _round_value(value, seen)
    return estimator
