"""scikit-learn's HistGradientBoostingClassifier, every tree walked in one compiled call.

scikit-learn calls each tree's Cython predictor from a Python loop (249 trees: 249 calls and 249 OpenMP
regions per batch, milliseconds for a single row). Here the fitted trees are copied, once, into flat arrays
and one numba kernel walks them all, row by row, with the same comparisons as `_predict_one_from_raw_data`
(NaN -> missing side, categorical bitsets, `value <= threshold` -> left) and the same additions in the
same order (baseline, then tree 1, 2, ...), so the raw scores are bit-identical to
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

MISSING = 255  # the bin of NaN and of any value a categorical node treats as missing


@njit(cache=True, nogil=True)
def _bin(x, categorical, thresholds, counts, bins):  # pragma: no cover - compiled
    """Each value -> its bin: numeric, how many of the feature's thresholds lie below it (so `value <=
    threshold k` is `bin <= k`); categorical, the byte scikit-learn looks up (NaN and negatives: MISSING).
    Returns False for a row whose categorical value scikit-learn would truncate (>= 255)."""
    exact = np.ones(x.shape[0], dtype=np.bool_)
    for i in range(x.shape[0]):
        for f in range(x.shape[1]):
            v = x[i, f]
            if np.isnan(v):
                bins[i, f] = MISSING
            elif categorical[f]:
                if v < 0:
                    bins[i, f] = MISSING
                elif v >= MISSING:
                    bins[i, f] = MISSING
                    exact[i] = False
                else:
                    bins[i, f] = np.uint8(np.int64(v))
            else:
                lo, hi = 0, counts[f]
                while lo < hi:
                    mid = (lo + hi) // 2
                    if thresholds[f, mid] < v:
                        lo = mid + 1
                    else:
                        hi = mid
                bins[i, f] = lo
    return exact


LANES = 16  # rows walked side by side: independent chains of loads the CPU overlaps


@njit(cache=True, nogil=True)
def _walk(bins, exact, roots, depths, feature, goes_left, children, value, baseline, out):  # pragma: no cover
    """Tree by tree (a tree's nodes stay in L1), LANES rows at a time walk a fixed number of levels without a
    branch (a leaf is its own child); each row adds the trees' leaf values in the trees' order, as
    scikit-learn does."""
    n = bins.shape[0]
    for i in range(n):
        out[i] = 0.0
        out[i] += baseline
    nodes = np.empty(LANES, dtype=np.int64)
    for tree in range(roots.shape[0]):
        root, depth = roots[tree], depths[tree]
        for start in range(0, n, LANES):
            lanes = min(LANES, n - start)
            for r in range(lanes):
                nodes[r] = root
            for _ in range(depth):
                for r in range(lanes):
                    node = nodes[r]
                    b = bins[start + r, feature[node]]
                    left = (goes_left[node, b >> 5] >> (b & 31)) & 1
                    nodes[r] = children[node, 1 - left]
            for r in range(lanes):
                out[start + r] += value[nodes[r]]
    for i in range(n):
        if not exact[i]:
            out[i] = np.nan


class TreeEnsemble:
    """The trees of a fitted binary HistGradientBoostingClassifier as flat arrays: per node its feature, a
    256-bit table of the bins that go left, its two children, its value."""

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
        left_bitsets = [
            np.asarray(b, dtype=np.uint32).reshape(-1, 8) for p in predictors for b in [p.raw_left_cat_bitsets]
        ]
        left_bitsets = (
            np.concatenate(left_bitsets) if any(len(b) for b in left_bitsets) else np.zeros((0, 8), np.uint32)
        )
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
        goes_left = np.ascontiguousarray(np.packbits(bits, axis=1, bitorder="little").view("<u4"))
        self._categorical = categorical
        self._thresholds, self._counts = thresholds, counts
        depths = [int(p.nodes["depth"].max()) for p in predictors]
        self._trees = (offsets, np.array(depths, dtype=np.int64), np.ascontiguousarray(nodes["feature_idx"], dtype=np.int64),
                       goes_left, children, np.ascontiguousarray(nodes["value"], dtype=np.float64))  # fmt: skip
        self._baseline = float(np.asarray(hgb._baseline_prediction).reshape(-1)[0])
        self._loss = hgb._loss
        self.n_features = int(hgb.n_features_in_)
        self.raw(np.zeros((1, self.n_features)))  # compiles (or loads the cached kernels) now, not on a request

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed leaf values of each row (NaN where scikit-learn must score the row)."""
        if self._ordinal is not None:
            x = self._ordinal.transform(x)
        x = np.ascontiguousarray(x, dtype=np.float64)
        bins = np.empty(x.shape, dtype=np.uint8)
        exact = _bin(x, self._categorical, self._thresholds, self._counts, bins)
        out = np.empty(x.shape[0], dtype=np.float64)
        _walk(bins, exact, *self._trees, self._baseline, out)
        return out

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) through the classifier's own loss (the link scikit-learn's predict_proba uses)."""
        return self._loss.predict_proba(self.raw(x))[:, 1]


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
