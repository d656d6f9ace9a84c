"""Reading a committed model directory, and training one twice, for the per-model tests."""

from collections.abc import Callable
from pathlib import Path

from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import FILES, ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.ml.training.report import TrainingReport


def read_report(model_dir: Path) -> dict:
    return ModelDirectory(model_dir).read_report()


def read_held_out(model_dir: Path) -> list[dict[str, int]]:
    return ModelDirectory(model_dir).held_out_rows()


def feature_rows(rows: list[dict[str, int]], schema: FeatureSchema) -> list[list[int]]:
    return [[row[name] for name in schema.feature_names] for row in rows]


def train_twice(train: Callable[..., TrainingReport], out: Path, **options) -> TrainingReport:
    """Trains into out/a and out/b with the same options; asserts every written file is byte-identical and the
    artifact loads with the hash its report states. Returns the first report."""
    first = train(out / "a", **options)
    second = train(out / "b", **options)
    assert {path.name for path in (out / "a").iterdir()} == FILES
    for name in FILES:
        assert (out / "a" / name).read_bytes() == (out / "b" / name).read_bytes(), name
    assert first.artifact.sha256 == second.artifact.sha256
    assert LoadedModel.from_dir(out / "a").artifact_hash.hex() == first.artifact.sha256
    return first
