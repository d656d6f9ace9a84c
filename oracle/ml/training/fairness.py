"""Group fairness of an approve/decline policy on a probability-of-default model, with bootstrap intervals.

Approved = the pool's rule, PD (in bps) <= the decline threshold. Per group: approval rate, approval among
applicants who repaid (equal opportunity), adverse-impact ratio (approval rate / the highest group's, the
"four-fifths rule" quantity), ROC AUC and calibration (mean PD vs observed default rate)."""

from __future__ import annotations

import numpy as np

from oracle.ml.training import bootstrap
from oracle.ml.training.report import AttributeFairness, FairnessAudit, GroupFairness, StatInterval, WorstImpact

MIN_GROUP = 30  # groups smaller than this are listed but not used as the adverse-impact reference
DEFAULT_MIN_AIR = 0.8  # the four-fifths rule
PROTECTED = ("age_band", "marital")  # the bound applies to these; the other attributes are reported


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _stats(y: np.ndarray, approved: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    repaid = y == 0
    return {
        "approval_rate": float(approved.mean()) if len(y) else None,
        "approval_among_repayers": float(approved[repaid].mean()) if repaid.any() else None,
        "roc_auc": bootstrap.rank_auc(y, p),
        "mean_predicted": float(p.mean()) if len(y) else None,
        "observed_default_rate": float(y.mean()) if len(y) else None,
    }


def _with_air(per_group: dict[str, dict[str, float | None]], reference: str) -> None:
    top = per_group[reference]["approval_rate"]
    for stats in per_group.values():
        rate = stats["approval_rate"]
        stats["adverse_impact_ratio"] = None if rate is None or not top else rate / top


def group_fairness(
    y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold_bps: int, *, seed: int, reps: int = 500
) -> AttributeFairness:
    """Point estimates and 95% intervals (rows resampled with replacement) for every group of one attribute."""
    approved = np.rint(p * 10000) <= threshold_bps
    names = sorted(set(groups.tolist()))
    masks = {g: groups == g for g in names}
    point = {g: _stats(y[m], approved[m], p[m]) for g, m in masks.items()}
    eligible = [g for g in names if masks[g].sum() >= MIN_GROUP] or names
    reference = max(eligible, key=lambda g: point[g]["approval_rate"] or 0.0)
    _with_air(point, reference)
    drawn: dict[str, dict[str, list[float]]] = {g: {} for g in names}
    for rows in bootstrap.group_draws(np.arange(len(y)), seed=seed, reps=reps):
        yb, ab, pb, gb = y[rows], approved[rows], p[rows], groups[rows]
        sample = {g: _stats(yb[gb == g], ab[gb == g], pb[gb == g]) for g in names}
        if sample[reference]["approval_rate"] is None:
            continue
        _with_air(sample, reference)
        for g, stats in sample.items():
            for key, value in stats.items():
                if value is not None:
                    drawn[g].setdefault(key, []).append(value)
    out: dict[str, GroupFairness] = {}
    for g in names:
        bounded: dict[str, StatInterval] = {}
        for key, value in point[g].items():
            values = drawn[g].get(key, [])
            bounded[key] = StatInterval(
                value=_r(value),
                low=_r(np.quantile(values, 0.025)) if values else None,
                high=_r(np.quantile(values, 0.975)) if values else None,
            )
        out[str(g)] = GroupFairness(count=int(masks[g].sum()), **bounded)
    return AttributeFairness(reference_group=str(reference), groups=out)


def audit(
    y: np.ndarray, p: np.ndarray, attributes: dict[str, np.ndarray], threshold_bps: int, *, seed: int, reps: int = 500
) -> FairnessAudit:
    """group_fairness for every attribute, the lowest adverse-impact ratio among protected groups of at least
    MIN_GROUP rows, and the groups whose mean PD misses their observed default rate by more than 5 points."""
    by_attribute = {
        name: group_fairness(y, p, groups, threshold_bps, seed=seed, reps=reps) for name, groups in attributes.items()
    }
    ratios = [
        (air, attribute, name)
        for attribute, table in by_attribute.items()
        for name, g in table.groups.items()
        if attribute in PROTECTED and g.count >= MIN_GROUP and (air := g.adverse_impact_ratio.value) is not None
    ]
    worst = WorstImpact(ratio=None, attribute=None, group=None)
    if ratios:
        ratio, attribute, name = min(ratios)
        worst = WorstImpact(ratio=ratio, attribute=attribute, group=name)
    return FairnessAudit(
        threshold_bps=threshold_bps,
        rule="approved when pd_bps <= threshold_bps (LendingPool's maxPdBps)",
        intervals=f"95% percentile bootstrap, rows resampled with replacement, {reps} reps, seed {seed}",
        min_group_for_air=MIN_GROUP,
        protected=list(PROTECTED),
        worst_adverse_impact=worst,
        miscalibrated_groups=[
            f"{attribute}={name}: mean PD {predicted:.1%}, observed {observed:.1%}"
            for attribute, table in by_attribute.items()
            for name, g in table.groups.items()
            if g.count >= MIN_GROUP
            and (predicted := g.mean_predicted.value) is not None
            and (observed := g.observed_default_rate.value) is not None
            and abs(predicted - observed) > 0.05
        ],
        attributes=by_attribute,
    )


def violations(audit_result: FairnessAudit, min_air: float) -> list[str]:
    """Protected groups (of at least MIN_GROUP rows) whose adverse-impact ratio is below `min_air`, as sentences."""
    out = []
    for attribute, table in audit_result.attributes.items():
        if attribute not in audit_result.protected:
            continue
        reference = table.groups[table.reference_group]
        for name, g in table.groups.items():
            air = g.adverse_impact_ratio.value
            if g.count >= MIN_GROUP and air is not None and air < min_air:
                out.append(
                    f"{attribute}={name}: approved {_percent(g.approval_rate)} vs "
                    f"{_percent(reference.approval_rate)} for "
                    f"{attribute}={table.reference_group} (adverse-impact ratio {air:.2f} < {min_air:.2f})"
                )
    return out


def _percent(stat: StatInterval) -> str:
    return "n/a" if stat.value is None else f"{stat.value:.1%}"
