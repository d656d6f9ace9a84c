"""The demo's three shipments, built from the models' committed held-out rows (real flights, real sensor days).

- on time and clean: a flight the delivery-delay model rates low-risk, sensor days it scores clean;
- delayed: a flight it rates high-risk (an alert at dispatch), delivered after the SLA;
- spoiled: clean readings, then a last sensor day the condition model scores far above the maximum,
  disputed by the supplier and settled by the arbiter.
"""

from __future__ import annotations

import csv
from pathlib import Path

from oracle.ml.schema import FeatureSchema
from scripts.supply_chain_scenario import Checkpoint, Dispute, ShipmentPlan

MODELS = Path(__file__).resolve().parent.parent / "models"


def held_out(model: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    schema = FeatureSchema.from_file(MODELS / model / "schema.json")
    with (MODELS / model / "held_out.csv").open() as rows:
        return schema.feature_names, {row["row_id"]: row for row in csv.DictReader(rows)}


def _pick(rows: dict[str, dict[str, str]], column: str, *, low: bool, label: str) -> dict[str, str]:
    """The held-out row with the lowest (or highest) model output among rows whose true label is `label`."""
    candidates = [row for row in rows.values() if row["label"] == label]
    return (min if low else max)(candidates, key=lambda row: int(row[column]))


def _features(row: dict[str, str], names: list[str]) -> list[int]:
    return [int(row[name]) for name in names]


def _sensor_log(row: dict[str, str]) -> bytes:
    """The off-chain record a gateway keeps: the full held-out row, of which only the sha256 goes on chain."""
    return (",".join(row) + "\n" + ",".join(row.values()) + "\n").encode()


def demo_plans() -> list[ShipmentPlan]:
    condition_names, condition_rows = held_out("shipment-condition")
    delay_names, delay_rows = held_out("delivery-delay")
    condition = "expected_condition_score_bps"
    clean = sorted((r for r in condition_rows.values() if r["label"] == "0"), key=lambda r: int(r[condition]))[:4]
    spoiled = _pick(condition_rows, condition, low=False, label="1")
    calm_flight = _pick(delay_rows, "expected_p_late_bps", low=True, label="0")
    stormy_flight = _pick(delay_rows, "expected_p_late_bps", low=False, label="1")

    def checkpoints(last: dict[str, str]) -> list[Checkpoint]:
        return [
            Checkpoint("origin packhouse", _features(clean[0], condition_names), _sensor_log(clean[0])),
            Checkpoint("cross-dock", _features(clean[1], condition_names), _sensor_log(clean[1])),
            Checkpoint("destination DC", _features(last, condition_names), _sensor_log(last)),
        ]

    return [
        ShipmentPlan(
            f"on time and clean (flight row {calm_flight['row_id']})",
            "pharmaceuticals, EWR",
            _features(calm_flight, delay_names),
            checkpoints(clean[2]),
            transit_hours=30,
        ),
        ShipmentPlan(
            f"delayed (flight row {stormy_flight['row_id']})",
            "pharmaceuticals, JFK",
            _features(stormy_flight, delay_names),
            checkpoints(clean[3]),
            transit_hours=60,
        ),
        ShipmentPlan(
            f"spoiled (sensor row {spoiled['row_id']})",
            "pharmaceuticals, LGA",
            _features(calm_flight, delay_names),
            checkpoints(spoiled),
            transit_hours=30,
            dispute=Dispute("supplier", "reefer log shows 4 C until the last stop", arbiter_supplier_bps=2_000),
        ),
    ]
