"""Leaf masks (oracle.ml.fast_leaf_masks) reach the leaf scikit-learn's tree walk reaches: raw scores bit-equal to
HistGradientBoostingClassifier's for 32-bit masks (up to 32 leaves), 64-bit masks (up to 64) and categorical
splits with NaN and unknown categories; larger trees are left to scikit-learn."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from oracle.ml.fast_path import compile_scorer
from oracle.ml.fast_trees import TreeEnsemble


def _data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 3))
    category = rng.integers(0, 12, size=(rows, 1)).astype(np.float64)
    x = np.hstack([numeric, category])
    y = (numeric[:, 0] + np.sin(3 * numeric[:, 1]) + (category[:, 0] % 3 == 0) + rng.normal(0, 0.5, rows)) > 0.5
    return x, y.astype(int)


def _fitted(max_leaf_nodes: int) -> HistGradientBoostingClassifier:
    x, y = _data(4_000, seed=1)
    x[::17, 1] = np.nan
    model = HistGradientBoostingClassifier(
        max_iter=20, max_leaf_nodes=max_leaf_nodes, categorical_features=[3], early_stopping=False, random_state=0
    )
    with threadpool_limits(1):
        return model.fit(x, y)


@pytest.mark.parametrize(("max_leaf_nodes", "word"), [(31, np.uint32), (60, np.uint64)])
def test_raw_scores_equal_scikit_learns_bit_for_bit(max_leaf_nodes, word):
    model = _fitted(max_leaf_nodes)
    trees = TreeEnsemble(model)
    x, _ = _data(3_000, seed=2)
    x[::7, 0] = np.nan
    x[::11, 3] = np.nan
    x[::13, 3] = 40.0  # a category the model never saw
    with threadpool_limits(1):
        expected = model._raw_predict(x).ravel()
    assert trees._leaves._masks.dtype == word
    assert np.array_equal(trees.raw(x), expected)


def test_trees_with_more_than_64_leaves_are_scored_by_scikit_learn():
    assert compile_scorer(_fitted(100)) is None
