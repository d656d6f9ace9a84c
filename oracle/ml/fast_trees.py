"""scikit-learn's HistGradientBoostingClassifier, every tree scored in one compiled call.

scikit-learn calls each tree's Cython predictor from a Python loop (249 trees: 249 calls and 249 OpenMP
regions per batch, milliseconds for a single row). Here the fitted trees are read, once, into flat arrays:
per node, which bins of its feature go left, with the same comparisons as `_predict_one_from_raw_data`
(NaN -> missing side, categorical bitsets, `value <= threshold` -> left); oracle.ml.fast_leaf_masks turns
them into leaf masks per (feature, bin), so a row's leaves come from a few ANDs, and adds the leaf values
in scikit-learn's order (baseline, then tree 1, 2, ...), so the raw scores are bit-identical to
`HistGradientBoostingClassifier._raw_predict`. Rows the kernel cannot reproduce exactly (a categorical
value above 255, which the C code truncates to a byte) come back NaN, and the caller scores them with
scikit-learn itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils.validation import check_array

from oracle.ml.fast_codes import CodeTable
from oracle.ml.fast_leaf_masks import LeafMasks

MISSING = 255  # the bin of NaN and of any value a categorical node treats as missing


@njit(cache=True, nogil=True)
def _rows(  # pragma: no cover - compiled
    x: np.ndarray,
    categorical: np.ndarray,
    thresholds: np.ndarray,
    counts: np.ndarray,
    slots: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Each value -> its bin -> `slots[feature, bin]`. The bin: numeric, how many of the feature's thresholds
    lie below the value (so `value <= threshold k` is `bin <= k`); categorical, the byte scikit-learn looks up
    (NaN and negatives: MISSING). Returns False for a row whose categorical value scikit-learn would truncate
    (>= 255)."""
    exact = np.ones(x.shape[0], dtype=np.bool_)
    for i in range(x.shape[0]):
        for f in range(x.shape[1]):
            v = x[i, f]
            if np.isnan(v):
                b = MISSING
            elif categorical[f]:
                if v < 0:
                    b = MISSING
                elif v >= MISSING:
                    b = MISSING
                    exact[i] = False
                else:
                    b = int(v)
            else:
                lo, hi = 0, counts[f]
                while lo < hi:
                    mid = (lo + hi) // 2
                    if thresholds[f, mid] < v:
                        lo = mid + 1
                    else:
                        hi = mid
                b = lo
            rows[i, f] = slots[f, b]
    return exact


class TreeEnsemble:
    """The trees of a fitted binary HistGradientBoostingClassifier: per node its feature, the bins that go
    left, its two children and its value, turned into leaf masks per (feature, bin)."""

    def __init__(self, hgb: Any) -> None:
        if hgb.n_trees_per_iteration_ != 1:
            raise TypeError("only binary classifiers are compiled")
        self._ordinal = _OrdinalColumns(hgb._preprocessor) if hgb._preprocessor is not None else None
        predictors = [iteration[0] for iteration in hgb._predictors]
        known_bitsets, f_idx_map = hgb._bin_mapper.make_known_categories_bitsets()
        nodes = np.concatenate([p.nodes for p in predictors])
        sizes = [len(p.nodes) for p in predictors]
        offsets = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        shift = np.repeat(offsets, sizes)
        n_features = int(hgb._bin_mapper.n_bins_non_missing_.shape[0])
        categorical = np.zeros(n_features, dtype=np.bool_)
        categorical[np.unique(nodes["feature_idx"][(nodes["is_leaf"] == 0) & (nodes["is_categorical"] == 1)])] = True
        thresholds, counts = _thresholds(nodes, n_features, categorical)
        children = np.repeat(np.arange(len(nodes), dtype=np.int64)[:, None], 2, axis=1)  # leaves: themselves
        bitset_shift = np.cumsum([0, *[len(p.raw_left_cat_bitsets) for p in predictors[:-1]]])
        per_tree = [np.asarray(p.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8) for p in predictors]
        left_bitsets = np.concatenate(per_tree) if any(len(b) for b in per_tree) else np.zeros((0, 8), np.uint32)
        tree_of = np.repeat(np.arange(len(predictors)), sizes)
        split = nodes["is_leaf"] == 0
        children[split, 0] = nodes["left"][split] + shift[split]
        children[split, 1] = nodes["right"][split] + shift[split]
        feature = nodes["feature_idx"].astype(np.int64)
        missing_left = nodes["missing_go_to_left"].astype(np.bool_)
        bits = np.zeros((len(nodes), 256), dtype=np.bool_)  # bit c: bin c goes left
        numeric = split & (nodes["is_categorical"] == 0)
        below = np.zeros(len(nodes), dtype=np.int64)  # k: the node's threshold is the feature's k-th
        for f in np.unique(feature[numeric]):
            at = numeric & (feature == f)
            below[at] = np.searchsorted(thresholds[f, : counts[f]], nodes["num_threshold"][at])
        bits[numeric, :MISSING] = np.arange(MISSING)[None, :] <= below[numeric, None]
        categorical_split = split & (nodes["is_categorical"] == 1)
        if categorical_split.any():
            rows = nodes["bitset_idx"][categorical_split].astype(np.int64) + bitset_shift[tree_of[categorical_split]]
            known_rows = np.asarray(known_bitsets, dtype=np.uint32).reshape(-1, 8)[
                f_idx_map[feature[categorical_split]]
            ]
            in_left, known = _unpack(left_bitsets[rows]), _unpack(known_rows)
            # left if in the left set; an unknown category counts as missing
            bits[categorical_split, :MISSING] = (in_left | (~known & missing_left[categorical_split, None]))[
                :, :MISSING
            ]
        bits[split, MISSING] = missing_left[split]
        self._categorical = categorical
        self._thresholds, self._counts = thresholds, counts
        self._leaves = LeafMasks(tree_of, feature, ~split, children, bits, nodes["value"], n_features)
        self._baseline = float(np.asarray(hgb._baseline_prediction).reshape(-1)[0])
        self._loss = hgb._loss
        self.n_features = int(hgb.n_features_in_)
        self.raw(np.zeros((1, self.n_features)))  # compiles (or loads the cached kernels) now, not on a request

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values of each row (NaN where scikit-learn must score the row)."""
        if self._ordinal is not None:
            x = self._ordinal.transform(x)
        x = np.ascontiguousarray(x, dtype=np.float64)
        rows = np.empty(x.shape, dtype=np.int32)
        exact = _rows(x, self._categorical, self._thresholds, self._counts, self._leaves.rows, rows)
        return self._leaves.sum(rows, exact, self._baseline)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) through the classifier's own loss (the link scikit-learn's predict_proba uses)."""
        probability: np.ndarray = self._loss.predict_proba(self.raw(x))[:, 1]
        return probability


def _unpack(bitsets: np.ndarray) -> np.ndarray:
    """(n, 8) little-endian uint32 words -> (n, 256) booleans, bit c of the set at column c."""
    return np.unpackbits(np.ascontiguousarray(bitsets, dtype="<u4").view(np.uint8), axis=1, bitorder="little").astype(
        np.bool_
    )


def _thresholds(nodes: np.ndarray, n_features: int, categorical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per numeric feature, the sorted distinct thresholds its nodes compare with (at most 254: a bin is a byte)."""
    split = nodes[nodes["is_leaf"] == 0]
    per_feature = [np.unique(split["num_threshold"][split["feature_idx"] == f]) for f in range(n_features)]
    per_feature = [t if not categorical[f] else t[:0] for f, t in enumerate(per_feature)]
    if any(len(t) >= MISSING for t in per_feature):
        raise TypeError("a feature has more thresholds than a byte holds")
    table = np.full((n_features, max(1, max(len(t) for t in per_feature))), np.inf)
    for f, t in enumerate(per_feature):
        table[f, : len(t)] = t
    return table, np.array([len(t) for t in per_feature], dtype=np.int64)


class _OrdinalColumns:
    """The preprocessor scikit-learn puts in front of the trees when some features are categorical: an
    OrdinalEncoder (unknown -> NaN) on those columns, placed first, then the numeric columns as they are."""

    def __init__(self, preprocessor: Any) -> None:
        fitted = {name: (step, mask) for name, step, mask in preprocessor.transformers_}
        if set(fitted) - {"encoder", "numerical", "remainder"} or np.any(fitted.get("remainder", (None, []))[1]):
            raise TypeError("unexpected preprocessor in front of the trees")
        encoder, categorical = fitted["encoder"]
        numerical, numeric = fitted["numerical"]
        if (
            type(encoder) is not OrdinalEncoder
            or getattr(encoder, "_infrequent_enabled", False)
            or not (np.isnan(encoder.unknown_value) and np.isnan(encoder.encoded_missing_value))
            or getattr(numerical.func, "func", None) is not check_array
        ):
            raise TypeError("unexpected encoders in front of the trees")
        self._categorical = np.flatnonzero(categorical)
        self._numeric = np.flatnonzero(numeric)
        positions = [np.arange(len(c), dtype=np.float64) for c in encoder.categories_]
        self._codes = CodeTable(encoder.categories_, positions, np.nan)

    def transform(self, x: np.ndarray) -> np.ndarray:
        return np.hstack([self._codes.lookup(x[:, self._categorical]), x[:, self._numeric]])
