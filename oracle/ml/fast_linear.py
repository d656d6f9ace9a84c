"""A LogisticRegression behind a ColumnTransformer, folded into a few numpy calls per batch.

The logit is a sum over the column transformer's blocks. A block that ends in a SplineTransformer
(constant extrapolation) contributes, per input column z, the cubic spline sum_s coef_s * B_s(z): a single
piecewise polynomial, evaluated on z clipped to the knot range (what constant extrapolation means), whose
power-basis coefficients are computed once here. A OneHotEncoder block contributes one coefficient per
code (a lookup table); any other block its values times its coefficients. Steps before the last one in a
block (FunctionTransformer of a numpy ufunc, StandardScaler, AffordabilityRatios) run as they are.

The result equals scikit-learn's logit to about 1e-13 (another summation order than BLAS), not to the
last bit, so LoadedModel re-scores with scikit-learn the rare rows whose answer lies within a hair of a
rounding boundary: the fixed-point answers are the same. Rows the tables cannot score (an unknown code)
come back NaN and are re-scored the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit
from scipy.interpolate import BSpline, PPoly
from scipy.special import expit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer, StandardScaler

from oracle.ml.fast_codes import CodeTable
from oracle.ml.transformers import AffordabilityRatios


def _prepare(step: Any) -> Callable[[np.ndarray], np.ndarray]:
    """A step before a block's last one, as a function of the batch."""
    if type(step) is FunctionTransformer:
        if step.kw_args or not (step.func is None or isinstance(step.func, np.ufunc)):
            raise TypeError("only FunctionTransformers of a numpy ufunc are compiled")
        func: Callable[[np.ndarray], np.ndarray] = (lambda x: x) if step.func is None else step.func
        return func
    if type(step) is StandardScaler:
        mean = step.mean_ if step.with_mean else 0.0
        scale = step.scale_ if step.with_std else 1.0
        return lambda x: (x - mean) / scale
    if type(step) is AffordabilityRatios:
        return step.transform
    raise TypeError(f"{type(step).__name__} is not compiled")


class _Splines:
    """sum over columns j of the spline with the block's coefficients, at each row's z_j."""

    def __init__(self, spline: SplineTransformer, coef: np.ndarray) -> None:
        if (
            spline.extrapolation != "constant"
            or spline.sparse_output
            or not spline.include_bias
            or getattr(spline, "handle_missing", "error") != "error"
        ):
            raise TypeError("only dense constant-extrapolation splines with a bias are compiled")
        k = spline.degree
        n_splines = spline.bsplines_[0].c.shape[1]
        starts, polys, lows, highs = [], [], [], []
        for j, basis in enumerate(spline.bsplines_):
            if not np.array_equal(basis.c, np.eye(n_splines)):
                raise TypeError("unexpected spline coefficients")
            t = basis.t
            n = len(t) - k - 1
            combined = PPoly.from_spline(BSpline(t, coef[j * n_splines : (j + 1) * n_splines], k))
            polys.append(combined.c[:, k:n].T)  # intervals [t_k, t_n): (intervals, k + 1), highest power first
            starts.append(t[k:n])
            lows.append(t[k])
            highs.append(t[n])
        self._starts = np.ascontiguousarray(starts, dtype=np.float64)  # (columns, intervals)
        self._polys = np.ascontiguousarray(polys, dtype=np.float64)  # (columns, intervals, k + 1)
        self._low = np.array(lows, dtype=np.float64)
        self._high = np.array(highs, dtype=np.float64)
        self(np.zeros((1, len(starts))))  # compiles (or loads the cached kernel) now, not on a request

    def __call__(self, z: np.ndarray) -> np.ndarray:
        out = np.empty(z.shape[0], dtype=np.float64)
        _spline_sums(np.ascontiguousarray(z, dtype=np.float64), self._low, self._high, self._starts, self._polys, out)
        return out


@njit(cache=True, nogil=True)
def _spline_sums(  # pragma: no cover - compiled
    z: np.ndarray, low: np.ndarray, high: np.ndarray, starts: np.ndarray, polys: np.ndarray, out: np.ndarray
) -> None:
    """out[i] = sum over columns j of the piecewise polynomial j at z[i, j] clipped to [low_j, high_j]: the
    interval is the number of its later starts at or below the value, then Horner's rule from the start."""
    for i in range(z.shape[0]):
        total = 0.0
        for j in range(z.shape[1]):
            v = z[i, j]
            if v < low[j]:
                v = low[j]
            elif v > high[j]:
                v = high[j]
            interval = 0
            for s in range(1, starts.shape[1]):
                if v >= starts[j, s]:
                    interval += 1
            dz = v - starts[j, interval]
            value = polys[j, interval, 0]
            for power in range(1, polys.shape[2]):
                value = value * dz + polys[j, interval, power]
            total += value
        out[i] = total


class _OneHot:
    def __init__(self, encoder: OneHotEncoder, coef: np.ndarray) -> None:
        if encoder.drop_idx_ is not None or getattr(encoder, "_infrequent_enabled", False):
            raise TypeError("only one-hot encoders without drop or infrequent categories are compiled")
        if encoder.handle_unknown not in ("error", "ignore"):
            raise TypeError(f"handle_unknown={encoder.handle_unknown!r} is not compiled")
        bounds = np.cumsum([0] + [len(c) for c in encoder.categories_])
        values = [coef[bounds[j] : bounds[j + 1]] for j in range(len(encoder.categories_))]
        self._codes = CodeTable(encoder.categories_, values, np.nan if encoder.handle_unknown == "error" else 0.0)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        sums: np.ndarray = self._codes.lookup(z).sum(axis=1)
        return sums


class _Linear:
    def __init__(self, coef: np.ndarray) -> None:
        self._coef = coef

    def __call__(self, z: np.ndarray) -> np.ndarray:
        logit: np.ndarray = z @ self._coef
        return logit


class _Block:
    def __init__(self, columns: np.ndarray, transformer: Any, coef: np.ndarray) -> None:
        if isinstance(transformer, str):
            if transformer != "passthrough":
                raise TypeError(f"{transformer!r} columns are not compiled")
            steps = []
        else:
            steps = [s for _, s in transformer.steps] if isinstance(transformer, Pipeline) else [transformer]
        last = steps[-1] if steps else None
        self._score: Callable[[np.ndarray], np.ndarray]
        if type(last) is SplineTransformer:
            self._prepare, self._score = [_prepare(s) for s in steps[:-1]], _Splines(last, coef)
        elif type(last) is OneHotEncoder:
            self._prepare, self._score = [_prepare(s) for s in steps[:-1]], _OneHot(last, coef)
        else:
            self._prepare, self._score = [_prepare(s) for s in steps], _Linear(coef)
        self._columns = columns

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = x[:, self._columns]
        for step in self._prepare:
            z = step(z)
        return self._score(z)


def column_positions(selected: Any) -> np.ndarray:
    """A ColumnTransformer's column selection (positions or a mask) as positions."""
    selected = np.asarray(selected)
    if selected.dtype == np.bool_:
        return np.flatnonzero(selected)
    if not np.issubdtype(selected.dtype, np.integer):
        raise TypeError("columns selected by name are not compiled")
    positions: np.ndarray = selected.astype(np.intp)
    return positions


class LinearLogit:
    """P(class 1) of Pipeline([ColumnTransformer, LogisticRegression]) for a binary classifier."""

    def __init__(self, columns: Any, classifier: Any) -> None:
        if classifier.coef_.shape[0] != 1 or len(classifier.classes_) != 2:
            raise TypeError("only binary logistic regressions are compiled")
        if columns.remainder != "drop" and columns.output_indices_["remainder"].stop > 0:
            raise TypeError("a remainder other than drop is not compiled")
        coef = classifier.coef_[0]
        self._intercept = float(classifier.intercept_[0])
        self._blocks = []
        for name, transformer, selected in columns.transformers_:
            where = columns.output_indices_[name]
            if (isinstance(transformer, str) and transformer == "drop") or where.stop == where.start:
                continue
            self._blocks.append(_Block(column_positions(selected), transformer, coef[where]))

    def probability(self, x: np.ndarray) -> np.ndarray:
        logit = np.full(x.shape[0], self._intercept)
        for block in self._blocks:
            logit = logit + block(x)
        probability: np.ndarray = expit(logit)
        return probability
