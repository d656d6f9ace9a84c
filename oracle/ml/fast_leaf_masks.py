"""Which leaf of every tree a row reaches, as the AND of one bit mask per feature (QuickScorer's idea).

Number a tree's leaves 0..L-1 (L <= 64). A split node on feature f sends bin b to one side; every leaf on the
other side is then out of reach, so the node contributes, at (f, b), a mask with those leaves' bits cleared.
ANDing, per tree, the contributions of all its nodes at the row's bin of every feature leaves exactly one
bit: the leaf the tree walk reaches (a node off the row's path clears no leaf the path ends in; the node
where another leaf's path parts from the row's clears that leaf). So the masks are built once, at load, per
(feature, bin) for all trees side by side, and scoring a row is n_features loads of one contiguous vector of
n_trees words ANDed together (no dependent loads, no branches, SIMD) and one leaf value per tree, added in
the trees' order as scikit-learn adds them. Bins whose masks are equal for every tree share one row.
"""

from __future__ import annotations

import numpy as np
from numba import njit

BINS = 256  # a bin is a byte

# de Bruijn sequences: (one_bit * multiplier) >> shift (mod 2**bits) is distinct for each position of the bit
_DE_BRUIJN = {32: (0x077CB531, 27, 0xFFFFFFFF), 64: (0x03F79D71B4CB0A89, 58, 0xFFFFFFFFFFFFFFFF)}


def _slot(bit: int, bits: int) -> int:
    multiplier, shift, word = _DE_BRUIJN[bits]
    return (((1 << bit) * multiplier) & word) >> shift


@njit(cache=True, nogil=True)
def _sum_leaves(  # pragma: no cover - compiled
    rows: np.ndarray,
    exact: np.ndarray,
    masks: np.ndarray,
    values: np.ndarray,
    multiplier: np.uint64,
    shift: np.uint64,
    word: np.uint64,
    baseline: float,
    out: np.ndarray,
) -> None:
    """out[i] = baseline + the value of the leaf each tree gives row i, in the trees' order; NaN unless exact."""
    n_trees = masks.shape[1]
    acc = np.empty(n_trees, dtype=masks.dtype)
    for i in range(rows.shape[0]):
        first = masks[rows[i, 0]]
        for t in range(n_trees):
            acc[t] = first[t]
        for f in range(1, rows.shape[1]):
            mask = masks[rows[i, f]]
            for t in range(n_trees):
                acc[t] &= mask[t]
        total = 0.0
        total += baseline
        for t in range(n_trees):
            total += values[t, ((np.uint64(acc[t]) * multiplier) & word) >> shift]
        out[i] = total if exact[i] else np.nan


class LeafMasks:
    """The masks of an ensemble's nodes (tree-major node arrays, every tree's children after their parent)."""

    def __init__(
        self,
        tree_of: np.ndarray,
        feature: np.ndarray,
        is_leaf: np.ndarray,
        children: np.ndarray,
        goes_left: np.ndarray,
        value: np.ndarray,
        n_features: int,
    ) -> None:
        """`children`: (nodes, 2) global indices; `goes_left`: (nodes, BINS) booleans, bin b goes left."""
        n_trees = int(tree_of.max()) + 1
        leaf_number = np.zeros(len(tree_of), dtype=np.int64)
        leaves_per_tree = np.bincount(tree_of[is_leaf], minlength=n_trees)
        if leaves_per_tree.max() > 64:
            raise TypeError("trees with more than 64 leaves are not compiled")
        first_leaf = np.cumsum(np.concatenate([[0], leaves_per_tree[:-1]]))
        leaf_order = np.flatnonzero(is_leaf)
        leaf_number[leaf_order] = np.arange(len(leaf_order)) - first_leaf[tree_of[leaf_order]]
        bits = 32 if leaves_per_tree.max() <= 32 else 64
        dtype = np.uint32 if bits == 32 else np.uint64
        below = _leaves_below(is_leaf, children, leaf_number)
        roots = np.flatnonzero(np.concatenate([[True], tree_of[1:] != tree_of[:-1]]))
        full = np.empty((n_features, BINS, n_trees), dtype=np.uint64)
        full[:] = below[roots][None, None, :]
        split = np.flatnonzero(~is_leaf)
        left, right = below[children[split, 0]], below[children[split, 1]]
        for f in range(n_features):
            at = feature[split] == f
            if at.any():
                cleared = np.where(goes_left[split[at]], ~right[at, None], ~left[at, None])  # (nodes, BINS)
                np.bitwise_and.at(full[f].T, tree_of[split[at]], cleared)
        tables, rows, start = [], np.empty((n_features, BINS), dtype=np.int32), 0
        for f in range(n_features):
            distinct, inverse = np.unique(full[f], axis=0, return_inverse=True)
            tables.append(distinct)
            rows[f] = start + inverse.reshape(-1)
            start += len(distinct)
        self.rows = rows  # (feature, bin) -> row of `masks`
        self._masks = np.ascontiguousarray(np.concatenate(tables).astype(dtype))
        multiplier, shift, word = _DE_BRUIJN[bits]
        self._hash = (np.uint64(multiplier), np.uint64(shift), np.uint64(word))
        values = np.zeros((n_trees, bits), dtype=np.float64)  # by the de Bruijn slot of the leaf's bit
        values[tree_of[leaf_order], [_slot(int(b), bits) for b in leaf_number[leaf_order]]] = value[leaf_order]
        self._values = values

    def sum(self, rows: np.ndarray, exact: np.ndarray, baseline: float) -> np.ndarray:
        """`rows`: (n, n_features) rows of `masks` (from `self.rows`); the raw scores, NaN where not exact."""
        out = np.empty(rows.shape[0], dtype=np.float64)
        _sum_leaves(rows, exact, self._masks, self._values, *self._hash, baseline, out)
        return out


def _leaves_below(is_leaf: np.ndarray, children: np.ndarray, leaf_number: np.ndarray) -> np.ndarray:
    """Per node, the bits of the leaves of its subtree (children come after their parent, so a reverse pass)."""
    below = np.zeros(len(is_leaf), dtype=np.uint64)
    below[is_leaf] = np.left_shift(np.uint64(1), leaf_number[is_leaf].astype(np.uint64))
    split = np.flatnonzero(~is_leaf)
    if np.any(children[split] <= split[:, None]):
        raise TypeError("a child before its parent: node order not compiled")
    for node in split[::-1].tolist():
        below[node] = below[children[node, 0]] | below[children[node, 1]]
    return below
