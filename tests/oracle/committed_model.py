"""Reading a committed model directory, and training one twice, for the per-model tests."""

import csv
import json
from collections.abc import Callable
from pathlib import Path

from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema

FILES = {"model.skops", "schema.json", "report.json", "report.png", "MODEL_CARD.md", "held_out.csv"}


def read_report(model_dir: Path) -> dict:
    return json.loads((model_dir / "report.json").read_text())


def read_held_out(model_dir: Path) -> list[dict[str, int]]:
    with open(model_dir / "held_out.csv", newline="") as f:
        return [{k: int(v) for k, v in row.items()} for row in csv.DictReader(f)]


def feature_rows(rows: list[dict[str, int]], schema: FeatureSchema) -> list[list[int]]:
    return [[row[name] for name in schema.feature_names] for row in rows]


def train_twice(train: Callable[..., dict], out: Path, **options) -> dict:
    """Trains into out/a and out/b with the same options; asserts every written file is byte-identical and the
    artifact loads with the hash its report states. Returns the first report."""
    first = train(out / "a", **options)
    second = train(out / "b", **options)
    assert {path.name for path in (out / "a").iterdir()} == FILES
    for name in FILES:
        assert (out / "a" / name).read_bytes() == (out / "b" / name).read_bytes(), name
    assert first["artifact"]["sha256"] == second["artifact"]["sha256"]
    assert LoadedModel.from_dir(out / "a").artifact_hash.hex() == first["artifact"]["sha256"]
    return first
