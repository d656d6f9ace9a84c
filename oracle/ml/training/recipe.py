"""One training run for every model: `fit_and_write` over a small recipe per model.

A recipe says what differs between models (data and split, candidates, the decision policy, its own report
sections); the run does the rest the same way for each: compare the candidates, save and verify the chosen
one, evaluate it on the held-out rows, write the report, the held-out rows, the plot and the card."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
import pandas as pd
from rich.progress import Progress
from sklearn.pipeline import Pipeline

from oracle.ml import drift
from oracle.ml.model_directory import ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, evaluation, rounding, selection
from oracle.ml.training.plots import write_report_png
from oracle.ml.training.progress import step
from oracle.ml.training.report import ApprovalOutcome, Baselines, ThresholdOutcome, TrainingReport


class TrainingData(Protocol):
    """What every data module loads: the source rows, their request integers, decoded inputs and labels."""

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def fixed(self) -> np.ndarray: ...

    @property
    def x(self) -> np.ndarray: ...

    @property
    def y(self) -> np.ndarray: ...

    @property
    def counts(self) -> dict[str, Any]: ...


DataT = TypeVar("DataT", bound=TrainingData)


@dataclass(frozen=True)
class Split(Generic[DataT]):
    """Training and held-out row positions, the validation folds over the training rows, the groups the
    held-out bootstrap resamples, and which held-out rows held_out.csv keeps."""

    schema: FeatureSchema
    data: DataT
    train: np.ndarray
    test: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    bootstrap_groups: np.ndarray
    bootstrap_group_name: str
    csv_rows: np.ndarray

    @property
    def x_train(self) -> np.ndarray:
        return np.asarray(self.data.x[self.train])

    @property
    def y_train(self) -> np.ndarray:
        return np.asarray(self.data.y[self.train])

    @property
    def x_test(self) -> np.ndarray:
        return np.asarray(self.data.x[self.test])

    @property
    def y_test(self) -> np.ndarray:
        return np.asarray(self.data.y[self.test])

    @property
    def held(self) -> pd.DataFrame:
        """The held-out source rows."""
        return self.data.frame.iloc[self.test]


@dataclass(frozen=True)
class Fitted(Generic[DataT]):
    """A run after selection: every candidate fitted, the chosen one saved, its held-out answers."""

    split: Split[DataT]
    seed: int
    max_rows: int | None
    cv_folds: int | None
    models: dict[str, Pipeline]
    chosen: str
    p: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        """The held-out answers as the node sends them (fixed-point, e.g. basis points)."""
        return np.array([self.split.schema.output.encode(v) for v in self.p])


ReportT = TypeVar("ReportT", bound=TrainingReport)


class Recipe(ABC, Generic[ReportT, DataT]):
    """What one model's training adds to `fit_and_write`: its report type and the rows its data module loads."""

    report_type: type[ReportT]
    name: str
    seed: int
    task: str
    baseline: str
    bootstrap_reps: int
    policy_threshold_bps: int
    policy_rule: str
    comparison_only: Sequence[str] = ()

    @abstractmethod
    def split(self, seed: int, max_rows: int | None, cv_folds: int | None) -> Split[DataT]: ...

    @abstractmethod
    def candidates(self, schema: FeatureSchema, seed: int) -> dict[str, Pipeline]: ...

    @abstractmethod
    def policy(self, run: Fitted[DataT]) -> ApprovalOutcome | ThresholdOutcome:
        """The decision at `policy_threshold_bps` on the held-out rows."""

    @abstractmethod
    def render_card(self, report: ReportT, schema: FeatureSchema) -> str: ...

    def dataset_notes(self, run: Fitted[DataT]) -> dict[str, object]:
        """Entries of the report's `dataset` beyond the loader's counts and the row counts."""
        return {}

    def training_notes(self, run: Fitted[DataT]) -> dict[str, object]:
        """Entries of the report's `training` beyond the shared ones (`selection` may be overridden)."""
        return {}

    def observed_columns(self, schema: FeatureSchema) -> list[int]:
        """Features whose training range the report records."""
        return list(range(len(schema.features)))

    def baselines(self, run: Fitted[DataT]) -> Baselines:
        return evaluation.baselines(run.split.y_train, run.split.y_test)

    def before_bootstrap(self, run: Fitted[DataT], progress: Progress | None) -> dict[str, object]:
        """Report sections of this recipe measured before the held-out bootstrap draws."""
        return {}

    @abstractmethod
    def sections(self, run: Fitted[DataT], progress: Progress | None) -> dict[str, object]:
        """The other report sections only this recipe's report type has (`features` at least)."""

    def plot_labels(self, report: ReportT) -> dict[str, Any]:
        """`write_report_png` options beyond the title."""
        return {}

    @abstractmethod
    def plot_title(self, run: Fitted[DataT], report: ReportT) -> str: ...


def fit_and_write(
    recipe: Recipe[ReportT, DataT],
    out_dir: Path,
    *,
    seed: int | None = None,
    max_rows: int | None = None,
    cv_folds: int | None = None,
    progress: Progress | None = None,
) -> ReportT:
    """Choose a model on the recipe's validation folds, evaluate it on the held-out rows and write the model
    directory; returns the report."""
    seed = recipe.seed if seed is None else seed
    directory = ModelDirectory(Path(out_dir))
    split = recipe.split(seed, max_rows, cv_folds)
    schema = split.schema
    models = recipe.candidates(schema, seed)
    with step(progress, f"{recipe.name}: validating candidates", len(models)) as advance:
        table, chosen = selection.compare_candidates(
            models,
            split.x_train,
            split.y_train,
            split.x_test,
            split.y_test,
            split.folds,
            advance=advance,
            comparison_only=recipe.comparison_only,
        )
    files, p = selection.save_verified(directory.path, models[chosen], schema, split.x_test)
    run = Fitted(split, seed, max_rows, cv_folds, models, chosen, p)
    early = recipe.before_bootstrap(run, progress)
    with step(progress, f"{recipe.name}: bootstrap over {split.bootstrap_group_name}", 1) as advance:
        held_out = evaluation.evaluate(
            split.y_train,
            split.y_test,
            p,
            split.bootstrap_groups,
            group_name=split.bootstrap_group_name,
            seed=seed,
            reps=recipe.bootstrap_reps,
        )
        advance()

    x_train = split.x_train
    report = recipe.report_type.model_validate(
        {
            "model": recipe.name,
            "task": recipe.task,
            "artifact": files.artifact,
            "schema": files.schema_file,
            "libraries": bundle.library_versions(),
            "reproducibility": {"recipe": rounding.RECIPE, "decimals": rounding.DECIMALS},
            "dataset": {
                **split.data.counts,
                **recipe.dataset_notes(run),
                "rows_train": len(split.train),
                "rows_held_out": len(split.test),
                "rows_held_out_csv": len(split.csv_rows),
            },
            "observed_ranges": {
                schema.feature_names[i]: (float(x_train[:, i].min()), float(x_train[:, i].max()))
                for i in recipe.observed_columns(schema)
            },
            "training": {
                "seed": seed,
                "selection": selection.SELECTION_RULE,
                **recipe.training_notes(run),
                "baseline": recipe.baseline,
                "candidates": table,
                "chosen": chosen,
            },
            "held_out": held_out,
            "baselines": recipe.baselines(run),
            "calibration_bins": evaluation.calibration_bins(split.y_test, p),
            "policy": {
                "threshold_bps": recipe.policy_threshold_bps,
                "rule": recipe.policy_rule,
                **dict(recipe.policy(run)),
            },
            "drift_reference": drift.reference(
                schema, split.data.fixed[split.train], models[chosen].predict_proba(x_train)[:, 1]
            ),
            **early,
            **recipe.sections(run, progress),
        }
    )

    bundle.write_report(directory.path, report)
    held = split.held
    bundle.write_held_out_rows(
        directory.path,
        schema,
        split.data.fixed[split.test][split.csv_rows],
        held["rownames"].to_numpy()[split.csv_rows],
        split.y_test[split.csv_rows],
    )
    write_report_png(
        directory.plot,
        split.y_test,
        p,
        report.calibration_bins,
        recipe.plot_title(run, report),
        **recipe.plot_labels(report),
    )
    directory.card.write_text(recipe.render_card(report, schema))
    return report
