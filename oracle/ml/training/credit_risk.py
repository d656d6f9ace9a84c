"""Trains the credit-risk (probability of default) model and writes models/credit-risk/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, credit_data, evaluation, selection
from oracle.ml.training.credit_risk_card import render_card
from oracle.ml.training.plots import write_report_png

MODEL_NAME = "credit-risk"
SEED = 7
HELD_OUT_FRACTION = 0.25
HELD_OUT_CSV_ROWS = 300
CV_FOLDS = 5
POLICY_THRESHOLD_BPS = 2000  # decline when PD >= 20%


def candidates(schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
    """The two model families compared by cross-validation on the training split."""
    numeric = [i for i, f in enumerate(schema.features) if f.kind == "numeric"]
    categorical = [i for i, f in enumerate(schema.features) if f.kind == "categorical"]
    if any(schema.features[i].min < 0 for i in numeric):  # type: ignore[operator]
        raise ValueError("log1p needs non-negative numeric features")
    codes = [[float(c.code) for c in schema.features[i].categories or ()] for i in categorical]
    columns = ColumnTransformer(
        [
            ("numeric", Pipeline([("log1p", FunctionTransformer(np.log1p)), ("scale", StandardScaler())]), numeric),
            ("categorical", OneHotEncoder(categories=codes), categorical),
        ]
    )
    return {
        "logistic_regression": Pipeline(
            [
                ("features", columns),
                ("classifier", LogisticRegression(C=1.0, max_iter=2000)),
            ]
        ),
        "hist_gradient_boosting": Pipeline(
            [
                (
                    "classifier",
                    HistGradientBoostingClassifier(
                        categorical_features=[f.kind == "categorical" for f in schema.features],
                        learning_rate=0.05,
                        max_iter=200,
                        max_leaf_nodes=15,
                        l2_regularization=1.0,
                        early_stopping=False,
                        random_state=seed,
                    ),
                ),
            ]
        ),
    }


def train(out_dir: Path, *, seed: int = SEED, max_rows: int | None = None, cv_folds: int = CV_FOLDS) -> dict[str, Any]:
    """Choose a model by CV on the training split, evaluate it on the stratified held-out split and
    write the model directory; returns the report."""
    out_dir = Path(out_dir)
    schema = credit_data.build_schema(MODEL_NAME)
    data = credit_data.load(schema, seed=seed, max_rows=max_rows)
    train_idx, test_idx = train_test_split(
        np.arange(len(data.y)), test_size=HELD_OUT_FRACTION, stratify=data.y, random_state=seed
    )
    x_train, y_train, x_test, y_test = data.x[train_idx], data.y[train_idx], data.x[test_idx], data.y[test_idx]

    models = candidates(schema, seed)
    cv = StratifiedKFold(cv_folds, shuffle=True, random_state=seed)
    table, chosen = selection.compare_candidates(models, x_train, y_train, x_test, y_test, cv)
    files, p = selection.save_verified(out_dir, models[chosen], schema, x_test)

    held = data.frame.iloc[test_idx]
    threshold = POLICY_THRESHOLD_BPS / schema.output.scale
    report = {
        "model": MODEL_NAME,
        "task": "binary classification: probability of default (credit_data Status == 'bad')",
        **files,
        "libraries": bundle.library_versions(),
        "dataset": {
            **data.counts,
            "rows_train": len(train_idx),
            "rows_held_out": len(test_idx),
            "rows_held_out_csv": min(HELD_OUT_CSV_ROWS, len(test_idx)),
        },
        "features": {"used": schema.feature_names, "excluded": credit_data.EXCLUDED},
        "observed_ranges": {
            n: [float(x_train[:, i].min()), float(x_train[:, i].max())] for i, n in enumerate(schema.feature_names)
        },
        "training": {
            "seed": seed,
            "held_out_fraction": HELD_OUT_FRACTION,
            "cv_folds": cv_folds,
            "selection": selection.SELECTION_RULE,
            "candidates": table,
            "chosen": chosen,
        },
        "held_out": evaluation.metrics(y_test, p),
        "calibration_bins": evaluation.calibration_bins(y_test, p),
        "policy": {
            "threshold_bps": POLICY_THRESHOLD_BPS,
            "rule": "decline when pd_bps >= threshold_bps",
            **evaluation.policy_outcome(y_test, np.array([schema.output.encode(v) for v in p]), POLICY_THRESHOLD_BPS),
        },
        "fairness": {
            "age_band": evaluation.group_metrics(y_test, p, credit_data.age_band(held["Age"]), threshold),
            "marital": evaluation.group_metrics(y_test, p, held["Marital"].fillna("unknown").to_numpy(), threshold),
        },
    }
    bundle.write_report(out_dir, report)
    rows = min(HELD_OUT_CSV_ROWS, len(test_idx))
    bundle.write_held_out_rows(
        out_dir, schema, data.fixed[test_idx][:rows], held["rownames"].to_numpy()[:rows], y_test[:rows]
    )
    write_report_png(
        out_dir / bundle.PLOT_FILE,
        y_test,
        p,
        report["calibration_bins"],
        f"{MODEL_NAME}: {chosen}, held-out ROC AUC {report['held_out']['roc_auc']:.3f}",
    )
    (out_dir / bundle.CARD_FILE).write_text(render_card(report, schema))
    return report
