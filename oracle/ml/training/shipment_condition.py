"""Trains the shipment-condition model (hazard probability from a window of sensor summaries) and
writes models/shipment-condition/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.progress import Progress
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from oracle.ml.schema import FeatureSchema
from oracle.ml.training import evaluation, rounding, weather_data
from oracle.ml.training.model_reports import SensorFeatures, ShipmentConditionReport, UnseenCity, Window
from oracle.ml.training.progress import step
from oracle.ml.training.recipe import Fitted, Recipe, Split, fit_and_write
from oracle.ml.training.report import ThresholdOutcome
from oracle.ml.training.shipment_condition_card import render_card

MODEL_NAME = "shipment-condition"
SEED = 7
CV_FOLDS = 5
IGNORED_SENSOR = "visibility"
BASELINE = "hist_gradient_boosting_with_visibility"  # the model shipped before: every sensor, visibility too
POLICY_THRESHOLD_BPS = 3000  # call the shipment spoiled (hold for inspection) when the score >= 30%
BOOTSTRAP_REPS = 1000
Run = Fitted[weather_data.WeatherData]


def candidates(schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
    """The model families compared by cross-validation on the training year. The chosen ones ignore
    visibility, which no shipment logger measures; the request keeps the fields (any in-range value, e.g.
    10 miles) so that on-chain feature vectors stay unchanged."""
    kept = [i for i, name in enumerate(schema.feature_names) if not name.startswith(IGNORED_SENSOR)]

    def boosting() -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=500,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=20,
            random_state=seed,
        )

    logger_inputs = ColumnTransformer([("logger", "passthrough", kept)])
    return {
        BASELINE: Pipeline([("classifier", boosting())]),
        "logistic_regression": Pipeline(
            [
                ("features", logger_inputs),
                ("scale", StandardScaler()),
                ("classifier", LogisticRegression(C=1.0, solver=rounding.SOLVER, tol=rounding.TOLERANCE, max_iter=200)),
            ]
        ),
        "hist_gradient_boosting": Pipeline([("features", clone(logger_inputs)), ("classifier", boosting())]),
    }


def leave_one_city_out(
    model: Pipeline, data: weather_data.WeatherData, train_idx: np.ndarray, test_idx: np.ndarray
) -> dict[str, UnseenCity]:
    """For each city: the chosen pipeline refitted on the other cities' training year and scored on this
    city's held-out year, i.e. what to expect at a site the model has never seen."""
    cities = data.frame["city"].to_numpy()
    out: dict[str, UnseenCity] = {}
    with threadpool_limits(limits=1):
        for city in sorted(set(cities.tolist())):
            fit_rows, score_rows = train_idx[cities[train_idx] != city], test_idx[cities[test_idx] == city]
            p = clone(model).fit(data.x[fit_rows], data.y[fit_rows]).predict_proba(data.x[score_rows])[:, 1]
            y = data.y[score_rows]
            out[city] = UnseenCity(
                roc_auc=round(float(roc_auc_score(y, p)), 6) if 0 < y.sum() < len(y) else None,
                mean_predicted=round(float(p.mean()), 6),
                observed_rate=round(float(y.mean()), 6),
            )
    return out


def city_weeks(frame: pd.DataFrame) -> np.ndarray:
    """Group label city + ISO week: neighbouring days at one station share weather, so they are never
    split between a CV fold's training and validation parts, and are resampled together."""
    week = pd.to_datetime(frame["date"]).dt.isocalendar()
    return np.asarray(frame["city"] + ":" + week["year"].astype(str) + "-" + week["week"].astype(str), dtype=object)


class ShipmentConditionRecipe(Recipe[ShipmentConditionReport, weather_data.WeatherData]):
    report_type = ShipmentConditionReport
    name = MODEL_NAME
    seed = SEED
    task = (
        "binary classification: probability that a window of sensor readings saw a hazardous event "
        f"({', '.join(weather_data.HAZARD_EVENTS)}), used as the shipment's condition score"
    )
    baseline = BASELINE
    bootstrap_reps = BOOTSTRAP_REPS
    policy_threshold_bps = POLICY_THRESHOLD_BPS
    policy_rule = "call the shipment spoiled (hold for inspection) when condition_score_bps >= threshold_bps"
    comparison_only = (BASELINE,)

    def split(self, seed: int, max_rows: int | None, cv_folds: int | None) -> Split[weather_data.WeatherData]:
        schema = weather_data.build_schema(MODEL_NAME)
        data = weather_data.load(schema, seed=seed, max_rows=max_rows)
        held_out = (data.frame["year"] == weather_data.HELD_OUT_YEAR).to_numpy()
        train_idx, test_idx = np.flatnonzero(~held_out), np.flatnonzero(held_out)
        groups = city_weeks(data.frame)
        cv = StratifiedGroupKFold(cv_folds or CV_FOLDS, shuffle=True, random_state=seed)
        return Split(
            schema,
            data,
            train_idx,
            test_idx,
            folds=list(cv.split(data.x[train_idx], data.y[train_idx], groups[train_idx])),
            bootstrap_groups=groups[test_idx],
            bootstrap_group_name="city-weeks",
            csv_rows=np.arange(len(test_idx)),
        )

    def candidates(self, schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
        return candidates(schema, seed)

    def dataset_notes(self, run: Run) -> dict[str, object]:
        return {
            "split": "out of time: train on one year, hold out the next",
            "train_year": weather_data.TRAIN_YEAR,
            "held_out_year": weather_data.HELD_OUT_YEAR,
        }

    def training_notes(self, run: Run) -> dict[str, object]:
        return {
            "cv_folds": run.cv_folds or CV_FOLDS,
            "cv": "StratifiedGroupKFold on the training year, groups = city + ISO week",
        }

    def policy(self, run: Run) -> ThresholdOutcome:
        return evaluation.threshold_outcome(run.split.y_test, run.scores, POLICY_THRESHOLD_BPS)

    def before_bootstrap(self, run: Run, progress: Progress | None) -> dict[str, object]:
        split = run.split
        with step(progress, "shipment-condition: leaving one city out", 1) as advance:
            unseen_city = leave_one_city_out(run.models[run.chosen], split.data, split.train, split.test)
            advance()
        return {"leave_one_city_out": unseen_city}

    def sections(self, run: Run, progress: Progress | None) -> dict[str, object]:
        schema = run.split.schema
        threshold = POLICY_THRESHOLD_BPS / schema.output.scale
        ignored = [n for n in schema.feature_names if n.startswith(IGNORED_SENSOR)]
        return {
            "window": Window(
                length="one local calendar day of one weather station's readings",
                summary="per sensor: maximum, mean and minimum over the window, in that order, as computed by "
                "the source (Weather Underground daily history); wind has maximum and mean only",
                sensors={stem: unit for stem, _scale, _lo, _hi, unit, _d in weather_data.SENSORS.values()},
            ),
            "features": SensorFeatures(
                used=[n for n in schema.feature_names if run.chosen == BASELINE or n not in ignored],
                accepted_but_ignored=[] if run.chosen == BASELINE else ignored,
                unused=weather_data.UNUSED,
            ),
            "by_city": evaluation.by_group(run.split.y_test, run.p, run.split.held["city"].to_numpy(), threshold),
        }

    def plot_title(self, run: Run, report: ShipmentConditionReport) -> str:
        return (
            f"{MODEL_NAME}: {run.chosen}, held-out ({weather_data.HELD_OUT_YEAR}) ROC AUC {report.held_out.roc_auc:.3f}"
        )

    def plot_labels(self, report: ShipmentConditionReport) -> dict[str, Any]:
        return {"observed_label": "observed hazard rate"}

    def render_card(self, report: ShipmentConditionReport, schema: FeatureSchema) -> str:
        return render_card(report, schema)


RECIPE = ShipmentConditionRecipe()


def train(
    out_dir: Path,
    *,
    seed: int = SEED,
    max_rows: int | None = None,
    cv_folds: int = CV_FOLDS,
    progress: Progress | None = None,
) -> ShipmentConditionReport:
    """`fit_and_write` with the shipment-condition recipe."""
    return fit_and_write(RECIPE, out_dir, seed=seed, max_rows=max_rows, cv_folds=cv_folds, progress=progress)
