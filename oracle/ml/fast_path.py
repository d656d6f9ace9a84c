"""The fast scorer of a fitted estimator, when its shape is one this package compiles; None otherwise.

    Pipeline([ColumnTransformer(passthrough...), HistGradientBoostingClassifier])  -> fast_trees (bit-exact)
    Pipeline([ColumnTransformer(...), LogisticRegression])                          -> fast_linear (to ~1e-13)

Both are built from the estimator loaded from the hashed skops artifact: no other file to trust or register.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from oracle.ml.fast_linear import LinearLogit, column_positions
from oracle.ml.fast_trees import TreeEnsemble

log = logging.getLogger(__name__)


class Scorer(Protocol):
    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) per row; NaN where the row must be scored by scikit-learn."""


class _Selected:
    """Passthrough columns, then trees."""

    def __init__(self, columns: np.ndarray | None, trees: TreeEnsemble) -> None:
        self._columns, self._trees = columns, trees

    def probability(self, x: np.ndarray) -> np.ndarray:
        return self._trees.probability(x if self._columns is None else x[:, self._columns])


def _dropped(transformer: Any) -> bool:
    return isinstance(transformer, str) and transformer == "drop"


def _identity(transformer: Any) -> bool:
    """'passthrough', or what a fitted ColumnTransformer replaces it with."""
    if isinstance(transformer, str):
        return transformer == "passthrough"
    return type(transformer) is FunctionTransformer and transformer.func is None and not transformer.kw_args


def _passthrough(columns: ColumnTransformer) -> np.ndarray:
    if columns.remainder != "drop" and columns.output_indices_["remainder"].stop > 0:
        raise TypeError("a remainder other than drop is not compiled")
    used = [(t, c) for name, t, c in columns.transformers_ if name != "remainder" and not _dropped(t)]
    if not all(_identity(t) for t, _ in used):
        raise TypeError("only passthrough columns before trees are compiled")
    kept = [column_positions(c) for _, c in used]
    return np.concatenate(kept)


def compile_scorer(estimator: Any) -> Scorer | None:
    try:
        steps = [s for _, s in estimator.steps] if type(estimator) is Pipeline else [estimator]
        *before, final = steps
        if len(before) > 1 or (before and type(before[0]) is not ColumnTransformer):
            raise TypeError("only a column transformer before the classifier is compiled")
        if type(final) is HistGradientBoostingClassifier:
            return _Selected(_passthrough(before[0]) if before else None, TreeEnsemble(final))
        if type(final) is LogisticRegression and before:
            return LinearLogit(before[0], final)
        raise TypeError(f"{type(final).__name__} is not compiled")
    except (TypeError, AttributeError, KeyError, ValueError) as reason:
        log.info("scoring with scikit-learn itself (%s)", reason)
        return None
