"""Source columns -> request integers and back, through the schema, column by column.

Each distinct value of a column is encoded once with Feature.encode (the same code path as
FeatureSchema.encode), so a data set of hundreds of thousands of rows is encoded exactly as a
request would be, without a Python call per cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oracle.ml.errors import InvalidFeatures
from oracle.ml.schema import FeatureSchema


def encode_frame(frame: pd.DataFrame, schema: FeatureSchema) -> tuple[np.ndarray, np.ndarray]:
    """Request integers for every row the schema accepts (columns named as the features, in any
    order), and the mask of those rows. A missing value or a value the schema refuses drops the row."""
    fixed = np.zeros((len(frame), len(schema.features)), dtype=np.int64)
    keep = np.ones(len(frame), dtype=bool)
    for column, feature in enumerate(schema.features):
        codes, uniques = pd.factorize(frame[feature.name], use_na_sentinel=True)
        encoded = np.zeros(len(uniques) + 1, dtype=np.int64)  # last slot: the NA sentinel -1
        accepted = np.zeros(len(uniques) + 1, dtype=bool)
        for i, value in enumerate(uniques.tolist()):
            try:
                encoded[i] = feature.encode(value)
                accepted[i] = True
            except InvalidFeatures:
                pass
        fixed[:, column] = encoded[codes]
        keep &= accepted[codes]
    return fixed[keep], keep


def decode_fixed(fixed: np.ndarray, schema: FeatureSchema) -> np.ndarray:
    """float64 model rows for request integers, decoded by Feature.decode (range-checked)."""
    x = np.zeros(fixed.shape, dtype=np.float64)
    for column, feature in enumerate(schema.features):
        uniques, inverse = np.unique(fixed[:, column], return_inverse=True)
        x[:, column] = np.array([feature.decode(int(v)) for v in uniques], dtype=np.float64)[inverse]
    return x
