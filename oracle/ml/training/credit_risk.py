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

from oracle.ml.model import LoadedModel
from oracle.ml.schema import FeatureSchema
from oracle.ml.training import credit_data, evaluation, fairness, proxies, rounding
from oracle.ml.training.credit_risk_card import render_card
from oracle.ml.training.model_reports import CreditFeatures, CreditRiskReport, Proxies
from oracle.ml.training.progress import step
from oracle.ml.training.recipe import Fitted, Recipe, Split, fit_and_write
from oracle.ml.training.report import ApprovalOutcome, FairnessAudit
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
Run = Fitted[credit_data.CreditData]


def _columns(schema: FeatureSchema) -> tuple[list[int], list[int], list[list[float]]]:
    numeric = [i for i, f in enumerate(schema.features) if f.kind == "numeric"]
    categorical = [i for i, f in enumerate(schema.features) if f.kind == "categorical"]
    if any(schema.features[i].real_range[0] < 0 for i in numeric):
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
    train_idx, test_idx = train_test_split(
        np.arange(len(data.y)), test_size=HELD_OUT_FRACTION, stratify=data.y, random_state=seed
    )
    return np.asarray(train_idx), np.asarray(test_idx)


def fairness_audit(
    model: LoadedModel, threshold_bps: int, *, seed: int = SEED, reps: int = BOOTSTRAP_REPS, max_rows: int | None = None
) -> FairnessAudit:
    """The fairness audit of a served credit-risk model on its held-out applicants at `threshold_bps`."""
    data = credit_data.load(model.schema, seed=seed, max_rows=max_rows)
    _, test_idx = split(data, seed)
    p = model.estimator.predict_proba(data.x[test_idx])[:, list(model.estimator.classes_).index(1)]
    return fairness.audit(
        data.y[test_idx], p, credit_data.attributes(data.frame.iloc[test_idx]), threshold_bps, seed=seed, reps=reps
    )


class CreditRiskRecipe(Recipe[CreditRiskReport, credit_data.CreditData]):
    report_type = CreditRiskReport
    name = MODEL_NAME
    seed = SEED
    task = "binary classification: probability of default (credit_data Status == 'bad')"
    baseline = BASELINE
    bootstrap_reps = BOOTSTRAP_REPS
    policy_threshold_bps = POLICY_THRESHOLD_BPS
    policy_rule = "decline when pd_bps > threshold_bps (LendingPool's maxPdBps)"

    def split(self, seed: int, max_rows: int | None, cv_folds: int | None) -> Split[credit_data.CreditData]:
        schema = credit_data.build_schema(MODEL_NAME)
        data = credit_data.load(schema, seed=seed, max_rows=max_rows)
        train_idx, test_idx = split(data, seed)
        cv = StratifiedKFold(cv_folds or CV_FOLDS, shuffle=True, random_state=seed)
        return Split(
            schema,
            data,
            train_idx,
            test_idx,
            folds=list(cv.split(data.x[train_idx], data.y[train_idx])),
            bootstrap_groups=np.arange(len(test_idx)),
            bootstrap_group_name="applicants",
            csv_rows=np.arange(min(HELD_OUT_CSV_ROWS, len(test_idx))),
        )

    def candidates(self, schema: FeatureSchema, seed: int) -> dict[str, Pipeline]:
        return candidates(schema, seed)

    def training_notes(self, run: Run) -> dict[str, object]:
        return {"held_out_fraction": HELD_OUT_FRACTION, "cv_folds": run.cv_folds or CV_FOLDS}

    def policy(self, run: Run) -> ApprovalOutcome:
        return evaluation.policy_outcome(run.split.y_test, run.scores, POLICY_THRESHOLD_BPS + 1)

    def before_bootstrap(self, run: Run, progress: Progress | None) -> dict[str, object]:
        split = run.split
        data = split.data
        with step(progress, "credit-risk: fairness and proxies", 3) as advance:
            audit = fairness.audit(
                split.y_test,
                run.p,
                credit_data.attributes(split.held),
                POLICY_THRESHOLD_BPS,
                seed=run.seed,
                reps=BOOTSTRAP_REPS,
            )
            advance()
            detector = candidates(split.schema, run.seed)["logistic_affordability_splines"]
            proxy: dict[str, float] = {}
            for name, attribute in credit_data.protected_targets(data.frame).items():
                proxy[name] = proxies.proxy_auc(
                    detector, data.x, attribute, seed=run.seed, folds=run.cv_folds or CV_FOLDS
                )
                advance()
        described = "the logistic_affordability_splines pipeline refitted to predict the attribute"
        return {"fairness": audit, "proxies": Proxies(detector=described, cv_roc_auc=proxy)}

    def sections(self, run: Run, progress: Progress | None) -> dict[str, object]:
        features = CreditFeatures(
            used=run.split.schema.feature_names,
            derived_in_pipeline=list(AffordabilityRatios.OUTPUTS),
            spline_knots=SPLINE_KNOTS,
            excluded=credit_data.EXCLUDED,
        )
        return {"features": features}

    def plot_title(self, run: Run, report: CreditRiskReport) -> str:
        return f"{MODEL_NAME}: {run.chosen}, held-out ROC AUC {report.held_out.roc_auc:.3f}"

    def plot_labels(self, report: CreditRiskReport) -> dict[str, Any]:
        approval = report.fairness.attributes["age_band"].groups
        return {
            "subgroups": {f"age {g}": stats.approval_rate for g, stats in approval.items()},
            "subgroup_title": f"Approval rate at PD <= {POLICY_THRESHOLD_BPS} bps (95% CI)",
        }

    def render_card(self, report: CreditRiskReport, schema: FeatureSchema) -> str:
        return render_card(report, schema)


RECIPE = CreditRiskRecipe()


def train(
    out_dir: Path,
    *,
    seed: int = SEED,
    max_rows: int | None = None,
    cv_folds: int = CV_FOLDS,
    progress: Progress | None = None,
) -> CreditRiskReport:
    """`fit_and_write` with the credit-risk recipe."""
    return fit_and_write(RECIPE, out_dir, seed=seed, max_rows=max_rows, cv_folds=cv_folds, progress=progress)
