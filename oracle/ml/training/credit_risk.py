"""Trains the credit-risk (probability of default) model and writes models/credit-risk/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer, StandardScaler

from oracle.ml import drift
from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import bundle, credit_data, evaluation, fairness, proxies, rounding, selection
from oracle.ml.training.credit_risk_card import render_card
from oracle.ml.training.plots import write_report_png
from oracle.ml.training.progress import step
from oracle.ml.transformers import AffordabilityRatios

MODEL_NAME = "credit-risk"
SEED = 7
HELD_OUT_FRACTION = 0.25
HELD_OUT_CSV_ROWS = 300
CV_FOLDS = 5
POLICY_THRESHOLD_BPS = 2000  # LendingPool's maxPdBps: approve when PD <= 20%
BOOTSTRAP_REPS = 500
SPLINE_KNOTS = 5
BASELINE = "logistic_regression"  # the model shipped before affordability ratios: the card's "before"


def _columns(schema: FeatureSchema) -> tuple[list[int], list[int], list[list[float]]]:
    numeric = [i for i, f in enumerate(schema.features) if f.kind == "numeric"]
    categorical = [i for i, f in enumerate(schema.features) if f.kind == "categorical"]
    if any(schema.features[i].min < 0 for i in numeric):  # type: ignore[operator]
        raise ValueError("log1p needs non-negative numeric features")
    return numeric, categorical, [[float(c.code) for c in schema.features[i].categories or ()] for i in categorical]


def affordability(schema: FeatureSchema) -> AffordabilityRatios:
    """The ratios transformer wired to this schema's column positions."""
    at = {name: i for i, name in enumerate(schema.feature_names)}
    return AffordabilityRatios(
        amount=at["amount"],
        term=at["term_months"],
        income=at["income"],
        expenses=at["expenses"],
        debt=at["debt"],
        assets=at["assets"],
        price=at["price"],
    )


def _splines() -> SplineTransformer:
    # knots at quantiles of the training rows; constant beyond them, so an extreme input cannot extrapolate
    return SplineTransformer(n_knots=SPLINE_KNOTS, degree=3, knots="quantile", extrapolation="constant")


def candidates(schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
    """The model families compared by cross-validation on the training split. Every one reads the same
    11 request features; ratios are derived inside the pipeline, so the on-chain request is unchanged."""
    numeric, categorical, codes = _columns(schema)
    everything = list(range(len(schema.features)))
    log_scaled = Pipeline([("log1p", FunctionTransformer(np.log1p)), ("scale", StandardScaler())])
    ratios = Pipeline(
        [("ratios", affordability(schema)), ("asinh", FunctionTransformer(np.arcsinh)), ("splines", _splines())]
    )
    return {
        BASELINE: Pipeline(
            [
                (
                    "features",
                    ColumnTransformer(
                        [
                            ("numeric", log_scaled, numeric),
                            ("categorical", OneHotEncoder(categories=codes), categorical),
                        ]
                    ),
                ),
                ("classifier", LogisticRegression(C=1.0, solver=rounding.SOLVER, tol=rounding.TOLERANCE, max_iter=200)),
            ]
        ),
        "logistic_affordability_splines": Pipeline(
            [
                (
                    "features",
                    ColumnTransformer(
                        [
                            (
                                "numeric",
                                Pipeline([("log1p", FunctionTransformer(np.log1p)), ("splines", _splines())]),
                                numeric,
                            ),
                            ("categorical", OneHotEncoder(categories=codes), categorical),
                            ("affordability", ratios, everything),
                        ]
                    ),
                ),
                ("classifier", LogisticRegression(C=1.0, solver=rounding.SOLVER, tol=rounding.TOLERANCE, max_iter=200)),
            ]
        ),
        "hist_gradient_boosting": Pipeline(
            [
                (
                    "features",
                    ColumnTransformer(
                        [("inputs", "passthrough", everything), ("affordability", affordability(schema), everything)]
                    ),
                ),
                (
                    "classifier",
                    HistGradientBoostingClassifier(
                        categorical_features=[f.kind == "categorical" for f in schema.features]
                        + [False] * len(AffordabilityRatios.OUTPUTS),
                        learning_rate=0.05,
                        max_iter=500,
                        max_leaf_nodes=15,
                        l2_regularization=1.0,
                        early_stopping=True,
                        validation_fraction=0.15,
                        n_iter_no_change=20,
                        random_state=seed,
                    ),
                ),
            ]
        ),
    }


def split(data: credit_data.CreditData, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified training / held-out row positions (the same for training and for `oracle models fairness`)."""
    return train_test_split(np.arange(len(data.y)), test_size=HELD_OUT_FRACTION, stratify=data.y, random_state=seed)


def fairness_audit(
    model: LoadedModel, threshold_bps: int, *, seed: int = SEED, reps: int = BOOTSTRAP_REPS, max_rows: int | None = None
) -> dict[str, Any]:
    """The fairness audit of a served credit-risk model on its held-out applicants at `threshold_bps`."""
    data = credit_data.load(model.schema, seed=seed, max_rows=max_rows)
    _, test_idx = split(data, seed)
    p = model.estimator.predict_proba(data.x[test_idx])[:, list(model.estimator.classes_).index(1)]
    return fairness.audit(
        data.y[test_idx], p, credit_data.attributes(data.frame.iloc[test_idx]), threshold_bps, seed=seed, reps=reps
    )


def train(
    out_dir: Path,
    *,
    seed: int = SEED,
    max_rows: int | None = None,
    cv_folds: int = CV_FOLDS,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Choose a model by CV on the training split, evaluate it on the stratified held-out split and
    write the model directory; returns the report."""
    out_dir = Path(out_dir)
    schema = credit_data.build_schema(MODEL_NAME)
    data = credit_data.load(schema, seed=seed, max_rows=max_rows)
    train_idx, test_idx = split(data, seed)
    x_train, y_train, x_test, y_test = data.x[train_idx], data.y[train_idx], data.x[test_idx], data.y[test_idx]

    models = candidates(schema, seed)
    cv = StratifiedKFold(cv_folds, shuffle=True, random_state=seed)
    with step(progress, "credit-risk: cross-validating candidates", len(models)) as advance:
        table, chosen = selection.compare_candidates(models, x_train, y_train, x_test, y_test, cv, advance=advance)
    files, p = selection.save_verified(out_dir, models[chosen], schema, x_test)

    held = data.frame.iloc[test_idx]
    with step(progress, "credit-risk: fairness and proxies", 3) as advance:
        audit = fairness.audit(
            y_test, p, credit_data.attributes(held), POLICY_THRESHOLD_BPS, seed=seed, reps=BOOTSTRAP_REPS
        )
        advance()
        detector = candidates(schema, seed)["logistic_affordability_splines"]
        proxy = {}
        for name, attribute in credit_data.protected_targets(data.frame).items():
            proxy[name] = proxies.proxy_auc(detector, data.x, attribute, seed=seed, folds=cv_folds)
            advance()
    row_ids = np.arange(len(y_test))
    with step(progress, "credit-risk: bootstrap intervals", 1) as advance:
        held_out = evaluation.evaluate(
            y_train, y_test, p, row_ids, group_name="applicants", seed=seed, reps=BOOTSTRAP_REPS
        )
        advance()
    report = {
        "model": MODEL_NAME,
        "task": "binary classification: probability of default (credit_data Status == 'bad')",
        **files,
        "libraries": bundle.library_versions(),
        "reproducibility": {"recipe": rounding.RECIPE, "decimals": rounding.DECIMALS},
        "dataset": {
            **data.counts,
            "rows_train": len(train_idx),
            "rows_held_out": len(test_idx),
            "rows_held_out_csv": min(HELD_OUT_CSV_ROWS, len(test_idx)),
        },
        "features": {
            "used": schema.feature_names,
            "derived_in_pipeline": list(AffordabilityRatios.OUTPUTS),
            "spline_knots": SPLINE_KNOTS,
            "excluded": credit_data.EXCLUDED,
        },
        "observed_ranges": {
            n: [float(x_train[:, i].min()), float(x_train[:, i].max())] for i, n in enumerate(schema.feature_names)
        },
        "training": {
            "seed": seed,
            "held_out_fraction": HELD_OUT_FRACTION,
            "cv_folds": cv_folds,
            "selection": selection.SELECTION_RULE,
            "baseline": BASELINE,
            "candidates": table,
            "chosen": chosen,
        },
        "held_out": held_out,
        "baselines": evaluation.baselines(y_train, y_test),
        "calibration_bins": evaluation.calibration_bins(y_test, p),
        "policy": {
            "threshold_bps": POLICY_THRESHOLD_BPS,
            "rule": "decline when pd_bps > threshold_bps (LendingPool's maxPdBps)",
            **evaluation.policy_outcome(
                y_test, np.array([schema.output.encode(v) for v in p]), POLICY_THRESHOLD_BPS + 1
            ),
        },
        "fairness": audit,
        "drift_reference": drift.reference(schema, data.fixed[train_idx], models[chosen].predict_proba(x_train)[:, 1]),
        "proxies": {
            "detector": "the logistic_affordability_splines pipeline refitted to predict the attribute",
            "cv_roc_auc": proxy,
        },
    }
    bundle.write_report(out_dir, report)
    rows = min(HELD_OUT_CSV_ROWS, len(test_idx))
    bundle.write_held_out_rows(
        out_dir, schema, data.fixed[test_idx][:rows], held["rownames"].to_numpy()[:rows], y_test[:rows]
    )
    approval = audit["attributes"]["age_band"]["groups"]
    write_report_png(
        out_dir / bundle.PLOT_FILE,
        y_test,
        p,
        report["calibration_bins"],
        f"{MODEL_NAME}: {chosen}, held-out ROC AUC {held_out['roc_auc']:.3f}",
        subgroups={f"age {g}": approval[g]["approval_rate"] for g in approval},
        subgroup_title=f"Approval rate at PD <= {POLICY_THRESHOLD_BPS} bps (95% CI)",
    )
    (out_dir / bundle.CARD_FILE).write_text(render_card(report, schema))
    return report
