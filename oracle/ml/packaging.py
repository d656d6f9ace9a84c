"""`oracle models package`: a user's fitted scikit-learn classifier (a skops file), its feature spec and
held-out rows -> a complete model directory the node serves (artifact, schema, report, plot, card
skeleton, held-out answers), evaluated exactly as the chain will see its inputs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio

from oracle.ml import drift
from oracle.ml.artifact import TRUSTED_TYPES
from oracle.ml.errors import UntrustedArtifactTypes
from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, evaluation
from oracle.ml.training.card_tables import evaluation_rows, feature_rows
from oracle.ml.training.encoding import decode_fixed, encode_frame
from oracle.ml.training.plots import write_report_png
from oracle.ml.training.report import Report, Section

LABEL = "label"
BOOTSTRAP_REPS = 500


@dataclass(frozen=True)
class PackageInputs:
    estimator_file: Path  # skops file of a fitted classifier with predict_proba and a class 1
    spec_file: Path  # feature spec: the schema.json format (names, kinds, units, scales, ranges, output)
    held_out_file: Path  # CSV: one column per feature (real values or category labels) and `label` (0/1)
    trusted: Collection[str] = ()  # types beyond skops' defaults and TRUSTED_TYPES the user vouches for
    group_column: str | None = None  # resample whole groups (days, sites) in the bootstrap
    id_column: str | None = None
    seed: int = 0


class PackagedDataset(Section):
    source: str
    rows_total: int
    rows_outside_schema_dropped: int
    rows_used: int
    rows_held_out_csv: int


class BaseRate(Section):
    value: float
    source: str


class PackagedReport(Report):
    """report.json of a model brought by its user: evaluated on its held-out rows only."""

    KEY_ORDER = (
        "model", "estimator", "artifact", "schema", "libraries", "trusted_types", "dataset", "base_rate", "held_out",
        "calibration_bins", "drift_reference",
    )  # fmt: skip
    estimator: str
    trusted_types: list[str]
    dataset: PackagedDataset
    base_rate: BaseRate


def load_estimator(path: Path, trusted: Collection[str]) -> Any:
    """The user's estimator, refusing any type neither skops, this project nor the user trusts."""
    data = path.read_bytes()
    refused = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES and t not in trusted]
    if refused:
        raise UntrustedArtifactTypes(refused)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def _card(report: PackagedReport, schema: FeatureSchema) -> str:
    held = report.held_out
    return f"""# Model card: {schema.name}

{schema.description or "TODO: one paragraph: what the model answers, for which contract."}

| | |
|---|---|
| Estimator | `{report.estimator}` (packaged by `oracle models package`) |
| Artifact | `model.skops`, {report.artifact.bytes} bytes, sha256 `0x{report.artifact.sha256}` |
| Schema | `schema.json`, sha256 `0x{report.schema_file.sha256}` (register both on chain) |
| Extra trusted types | {", ".join(f"`{t}`" for t in report.trusted_types) or "none"} |
| Libraries | {", ".join(f"{k} {v}" for k, v in report.libraries.items())} |

## Data

TODO: where the training data comes from, its period, its population, how the label was observed, and
how the held-out rows were chosen (a time-forward split if the model predicts the future).

## Features (request order; fixed-point integers, value = integer / scale)

| # | feature | scale | accepted range / codes | meaning |
|---|---|---|---|---|
{feature_rows(schema)}

## Held-out evaluation ({report.dataset.rows_used} rows; {report.dataset.rows_outside_schema_dropped} outside the schema dropped)

| metric | model (95% interval) | base rate ({report.base_rate.value:.1%}, {report.base_rate.source}) |
|---|---|---|
{evaluation_rows(held)}

ROC and reliability curves in `report.png`; calibration bins in `report.json`.

## Intended use, limits, fairness

TODO: the decision this score feeds, who it affects, groups it was (not) audited for, and what an
operator should do before registering it.
"""


def package(inputs: PackageInputs, out_dir: Path, *, training_positive_rate: float | None = None) -> PackagedReport:
    """Write the model directory; returns its report. The held-out rows are encoded to request integers
    and decoded back first, so the metrics are those of the answers the node will give."""
    out_dir = Path(out_dir)
    schema = FeatureSchema.from_file(inputs.spec_file)
    estimator = load_estimator(inputs.estimator_file, inputs.trusted)
    frame = pd.read_csv(inputs.held_out_file)
    fixed, keep = encode_frame(frame, schema)
    kept = frame[keep].reset_index(drop=True)
    y = kept[LABEL].to_numpy(dtype=np.int64)
    x = decode_fixed(fixed, schema)
    files = bundle.write_artifact_and_schema(out_dir, estimator, schema)
    served = LoadedModel(estimator, schema, bytes.fromhex(files.artifact.sha256), {})
    p = np.asarray(served.estimator.predict_proba(x), dtype=np.float64)[:, list(estimator.classes_).index(1)]
    rate = float(y.mean()) if training_positive_rate is None else training_positive_rate
    groups = kept[inputs.group_column].to_numpy() if inputs.group_column else np.arange(len(y))
    held_out = evaluation.evaluate(
        np.array([rate]),
        y,
        p,
        groups,
        group_name=inputs.group_column or "rows",
        seed=inputs.seed,
        reps=BOOTSTRAP_REPS,
    )
    report = PackagedReport(
        model=schema.name,
        estimator=type(estimator).__name__
        + (f" ({' -> '.join(type(s).__name__ for _, s in estimator.steps)})" if hasattr(estimator, "steps") else ""),
        artifact=files.artifact,
        schema=files.schema_file,
        libraries=bundle.library_versions(),
        trusted_types=sorted(set(inputs.trusted)),
        dataset=PackagedDataset(
            source=str(inputs.held_out_file.name),
            rows_total=len(frame),
            rows_outside_schema_dropped=int((~keep).sum()),
            rows_used=len(y),
            rows_held_out_csv=len(y),
        ),
        base_rate=BaseRate(
            value=round(rate, 6),
            source="from training" if training_positive_rate is not None else "held-out prevalence; none given",
        ),
        held_out=held_out,
        calibration_bins=evaluation.calibration_bins(y, p),
        drift_reference=drift.reference(schema, fixed, p),
    )
    bundle.write_report(out_dir, report)
    ids = kept[inputs.id_column].to_numpy() if inputs.id_column else np.arange(len(y))
    bundle.write_held_out_rows(out_dir, schema, fixed, ids, y, trusted=TRUSTED_TYPES | set(inputs.trusted))
    write_report_png(
        ModelDirectory(out_dir).plot,
        y,
        p,
        report.calibration_bins,
        f"{schema.name}: held-out ROC AUC {held_out.roc_auc:.3f}",
        observed_label="observed rate of class 1",
    )
    ModelDirectory(out_dir).card.write_text(_card(report, schema))
    return report
