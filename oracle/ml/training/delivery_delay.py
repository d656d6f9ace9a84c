"""Trains the delivery-delay model (P(late beyond the SLA) at dispatch) and writes models/delivery-delay/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder

from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, evaluation, flights_data, selection
from oracle.ml.training.delivery_delay_card import render_card
from oracle.ml.training.plots import write_report_png

MODEL_NAME = "delivery-delay"
SEED = 7
HELD_OUT_FRACTION = 0.25  # of the days of 2013: every flight of a held-out day is held out
HELD_OUT_CSV_ROWS = 1000
CV_FOLDS = 5
ALERT_THRESHOLD_BPS = 4000  # raise a delay-risk alert at dispatch when P(late) >= 40%
BOOTSTRAP_REPS = 300


def candidates(schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
    """The two model families compared by cross-validation on the training days."""
    numeric = [i for i, f in enumerate(schema.features) if f.kind == "numeric"]
    categorical = [i for i, f in enumerate(schema.features) if f.kind == "categorical"]
    codes = [[float(c.code) for c in schema.features[i].categories or ()] for i in categorical]
    # quantile bins, one-hot: a piecewise-constant effect of distance and time of day; subsample=None
    # computes the quantiles on every row (its default draws an unseeded sample of 200,000 rows)
    bins = KBinsDiscretizer(
        n_bins=12, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf", subsample=None
    )
    columns = ColumnTransformer(
        [
            ("numeric", Pipeline([("bins", bins), ("onehot", OneHotEncoder(handle_unknown="ignore"))]), numeric),
            ("categorical", OneHotEncoder(categories=codes), categorical),
        ]
    )
    return {
        "logistic_regression": Pipeline(
            [("features", columns), ("classifier", LogisticRegression(C=1.0, max_iter=3000))]
        ),
        "hist_gradient_boosting": Pipeline(
            [
                (
                    "classifier",
                    HistGradientBoostingClassifier(
                        categorical_features=[f.kind == "categorical" for f in schema.features],
                        learning_rate=0.1,
                        max_iter=300,
                        max_leaf_nodes=31,
                        l2_regularization=1.0,
                        early_stopping=False,
                        random_state=seed,
                    ),
                ),
            ]
        ),
    }


def carrier_rate_baseline(
    carrier_train: np.ndarray, y_train: np.ndarray, carrier_test: np.ndarray, y_test: np.ndarray
) -> dict[str, float]:
    """A lookup a shipper could keep by hand: each carrier's late rate on the training days."""
    rates = pd.Series(y_train).groupby(carrier_train).mean()
    p = pd.Series(carrier_test).map(rates).fillna(float(y_train.mean())).to_numpy(dtype=np.float64)
    return {"roc_auc": round(float(roc_auc_score(y_test, p)), 6), "brier": round(float(brier_score_loss(y_test, p)), 6)}


def train(out_dir: Path, *, seed: int = SEED, max_rows: int | None = None, cv_folds: int = CV_FOLDS) -> dict[str, Any]:
    """Choose a model by CV grouped by day on the training days, evaluate it on the held-out days and
    write the model directory; returns the report."""
    out_dir = Path(out_dir)
    raw = flights_data.read()
    schema = flights_data.build_schema(MODEL_NAME, flights_data.destinations(raw))
    data = flights_data.load(raw, schema, seed=seed, max_rows=max_rows)
    splitter = GroupShuffleSplit(n_splits=1, test_size=HELD_OUT_FRACTION, random_state=seed)
    train_idx, test_idx = next(splitter.split(data.x, data.y, groups=data.dates))
    x_train, y_train, x_test, y_test = data.x[train_idx], data.y[train_idx], data.x[test_idx], data.y[test_idx]

    models = candidates(schema, seed)
    cv = StratifiedGroupKFold(cv_folds, shuffle=True, random_state=seed)
    table, chosen = selection.compare_candidates(
        models, x_train, y_train, x_test, y_test, cv, groups=data.dates[train_idx]
    )
    files, p = selection.save_verified(out_dir, models[chosen], schema, x_test)

    held = data.frame.iloc[test_idx]
    carrier = schema.feature_names.index("carrier")
    threshold = ALERT_THRESHOLD_BPS / schema.output.scale
    scores_bps = np.array([schema.output.encode(v) for v in p])
    csv_rows = np.sort(np.random.default_rng(seed).permutation(len(test_idx))[:HELD_OUT_CSV_ROWS])
    report = {
        "model": MODEL_NAME,
        "task": f"binary classification: probability that arrival is more than {flights_data.SLA_MINUTES} minutes "
        "late, cancelled or diverted, from what is known at dispatch",
        **files,
        "libraries": bundle.library_versions(),
        "dataset": {
            **data.counts,
            "split": f"by day: every flight of {HELD_OUT_FRACTION:.0%} of the days (seeded) is held out",
            "days_train": int(len(np.unique(data.dates[train_idx]))),
            "days_held_out": int(len(np.unique(data.dates[test_idx]))),
            "rows_train": len(train_idx),
            "rows_held_out": len(test_idx),
            "rows_held_out_csv": len(csv_rows),
        },
        "sla": {
            "minutes": flights_data.SLA_MINUTES,
            "late": f"arr_delay > {flights_data.SLA_MINUTES} minutes, or cancelled or diverted (no arr_delay)",
        },
        "features": {"used": schema.feature_names, "excluded": flights_data.LEAKAGE},
        "observed_ranges": {
            n: [float(x_train[:, i].min()), float(x_train[:, i].max())]
            for i, n in enumerate(schema.feature_names)
            if schema.features[i].kind == "numeric"
        },
        "training": {
            "seed": seed,
            "subsample": "none" if max_rows is None else f"{max_rows} flights drawn at random (seeded)",
            "held_out_fraction": HELD_OUT_FRACTION,
            "cv_folds": cv_folds,
            "cv": "StratifiedGroupKFold on the training days, groups = day",
            "selection": selection.SELECTION_RULE,
            "candidates": table,
            "chosen": chosen,
        },
        "held_out": {
            **evaluation.metrics(y_test, p),
            "roc_auc_interval": evaluation.roc_auc_interval(
                y_test, p, data.dates[test_idx], group_name="days", seed=seed, reps=BOOTSTRAP_REPS
            ),
        },
        "baselines": {
            **evaluation.baselines(y_train, y_test),
            "carrier_rate": carrier_rate_baseline(
                data.fixed[train_idx, carrier], y_train, data.fixed[test_idx, carrier], y_test
            ),
        },
        "calibration_bins": evaluation.calibration_bins(y_test, p),
        "policy": {
            "threshold_bps": ALERT_THRESHOLD_BPS,
            "rule": "raise a delay-risk alert at dispatch when p_late_bps >= threshold_bps",
            **evaluation.threshold_outcome(y_test, scores_bps, ALERT_THRESHOLD_BPS),
        },
        "by_origin": evaluation.by_group(y_test, p, held["origin"].to_numpy(), threshold),
        "by_carrier": evaluation.by_group(y_test, p, held["carrier"].to_numpy(), threshold),
    }
    bundle.write_report(out_dir, report)
    bundle.write_held_out_rows(
        out_dir,
        schema,
        data.fixed[test_idx][csv_rows],
        held["rownames"].to_numpy()[csv_rows],
        y_test[csv_rows],
    )
    write_report_png(
        out_dir / bundle.PLOT_FILE,
        y_test,
        p,
        report["calibration_bins"],
        f"{MODEL_NAME}: {chosen}, held-out ROC AUC {report['held_out']['roc_auc']:.3f}",
        observed_label=f"observed rate late > {flights_data.SLA_MINUTES} min",
    )
    (out_dir / bundle.CARD_FILE).write_text(render_card(report, schema))
    return report
