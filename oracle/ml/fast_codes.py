"""Category codes -> values (ordinal positions, one-hot coefficients) for a whole batch in a few numpy calls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_CODE = 4_096  # categories must be the integers 0..MAX_CODE-1 for a table; larger codes are not compiled


class CodeTable:
    """Column j of a batch: code -> values[j][position of code in categories[j]]; any other input (not one of
    the categories, NaN, a fraction) -> `missing`."""

    def __init__(self, categories: Sequence[np.ndarray], values: Sequence[np.ndarray], missing: float) -> None:
        cats = [np.asarray(c, dtype=np.float64) for c in categories]
        if not cats or any(len(c) == 0 or np.any(c != np.floor(c)) or c.min() < 0 or c.max() >= MAX_CODE for c in cats):
            raise TypeError("categories are not small non-negative integers")
        self._size = int(max(c.max() for c in cats)) + 1
        self._table = np.full((len(cats), self._size + 1), missing, dtype=np.float64)  # last slot: missing
        for j, (c, v) in enumerate(zip(cats, values, strict=True)):
            self._table[j, c.astype(np.intp)] = np.asarray(v, dtype=np.float64)
        self._columns = np.arange(len(cats))

    def lookup(self, x: np.ndarray) -> np.ndarray:
        """(n, columns) codes -> (n, columns) values."""
        known = (x >= 0) & (x < self._size) & (x == np.floor(x))
        index = np.where(known, x, self._size).astype(np.intp)
        return self._table[self._columns, index]
