"""A model directory: the file names of its layout and the rows it ships, read in one place."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTIFACT_FILE = "model.skops"
SCHEMA_FILE = "schema.json"
REPORT_FILE = "report.json"
HELD_OUT_FILE = "held_out.csv"
CARD_FILE = "MODEL_CARD.md"
PLOT_FILE = "report.png"
FILES = frozenset({ARTIFACT_FILE, SCHEMA_FILE, REPORT_FILE, HELD_OUT_FILE, CARD_FILE, PLOT_FILE})


@dataclass(frozen=True)
class ModelDirectory:
    """`models/<name>/` as training writes it and the node, the API and the tests read it."""

    path: Path

    @property
    def artifact(self) -> Path:
        return self.path / ARTIFACT_FILE

    @property
    def schema(self) -> Path:
        return self.path / SCHEMA_FILE

    @property
    def report(self) -> Path:
        return self.path / REPORT_FILE

    @property
    def held_out(self) -> Path:
        return self.path / HELD_OUT_FILE

    @property
    def card(self) -> Path:
        return self.path / CARD_FILE

    @property
    def plot(self) -> Path:
        return self.path / PLOT_FILE

    def read_report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(self.report.read_text())
        return report

    def held_out_rows(self, limit: int | None = None) -> list[dict[str, int]]:
        """held_out.csv's rows, every column an integer: `row_id`, the request features, `label` and the
        node's expected answer."""
        with open(self.held_out, newline="") as f:
            rows = [{name: int(value) for name, value in row.items()} for row in csv.DictReader(f)]
        return rows if limit is None else rows[:limit]

    def held_out_features(self, feature_names: list[str], limit: int | None = None) -> list[list[int]]:
        """The held-out request integers, in the schema's feature order."""
        return [[row[name] for name in feature_names] for row in self.held_out_rows(limit)]
