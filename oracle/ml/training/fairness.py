"""Group fairness of an approve/decline policy on a probability-of-default model, with bootstrap intervals.

Approved = the pool's rule, PD (in bps) <= the decline threshold. Per group: approval rate, approval among
applicants who repaid (equal opportunity), adverse-impact ratio (approval rate / the highest group's, the
"four-fifths rule" quantity), ROC AUC and calibration (mean PD vs observed default rate)."""

from __future__ import annotations

from typing import Any

import numpy as np

from oracle.ml.training import bootstrap

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
) -> dict[str, Any]:
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
    out: dict[str, Any] = {}
    for g in names:
        out[str(g)] = {"count": int(masks[g].sum())}
        for key, value in point[g].items():
            values = drawn[g].get(key, [])
            out[str(g)][key] = {
                "value": _r(value),
                "low": _r(np.quantile(values, 0.025)) if values else None,
                "high": _r(np.quantile(values, 0.975)) if values else None,
            }
    return {"reference_group": str(reference), "groups": out}


def audit(
    y: np.ndarray, p: np.ndarray, attributes: dict[str, np.ndarray], threshold_bps: int, *, seed: int, reps: int = 500
) -> dict[str, Any]:
    """group_fairness for every attribute, the lowest adverse-impact ratio among protected groups of at least
    MIN_GROUP rows, and the groups whose mean PD misses their observed default rate by more than 5 points."""
    by_attribute = {
        name: group_fairness(y, p, groups, threshold_bps, seed=seed, reps=reps) for name, groups in attributes.items()
    }
    worst = min(
        (
            (g["adverse_impact_ratio"]["value"], attribute, name)
            for attribute, table in by_attribute.items()
            for name, g in table["groups"].items()
            if attribute in PROTECTED and g["count"] >= MIN_GROUP and g["adverse_impact_ratio"]["value"] is not None
        ),
        default=(None, None, None),
    )
    return {
        "threshold_bps": threshold_bps,
        "rule": "approved when pd_bps <= threshold_bps (LendingPool's maxPdBps)",
        "intervals": f"95% percentile bootstrap, rows resampled with replacement, {reps} reps, seed {seed}",
        "min_group_for_air": MIN_GROUP,
        "protected": list(PROTECTED),
        "worst_adverse_impact": {"ratio": worst[0], "attribute": worst[1], "group": worst[2]},
        "miscalibrated_groups": [
            f"{attribute}={name}: mean PD {g['mean_predicted']['value']:.1%}, observed {g['observed_default_rate']['value']:.1%}"
            for attribute, table in by_attribute.items()
            for name, g in table["groups"].items()
            if g["count"] >= MIN_GROUP
            and abs(g["mean_predicted"]["value"] - g["observed_default_rate"]["value"]) > 0.05
        ],
        "attributes": by_attribute,
    }


def violations(audit_result: dict[str, Any], min_air: float) -> list[str]:
    """Protected groups (of at least MIN_GROUP rows) whose adverse-impact ratio is below `min_air`, as sentences."""
    out = []
    for attribute, table in audit_result["attributes"].items():
        if attribute not in audit_result["protected"]:
            continue
        for name, g in table["groups"].items():
            air = g["adverse_impact_ratio"]["value"]
            if g["count"] >= MIN_GROUP and air is not None and air < min_air:
                out.append(
                    f"{attribute}={name}: approved {g['approval_rate']['value']:.1%} vs "
                    f"{table['groups'][table['reference_group']]['approval_rate']['value']:.1%} for "
                    f"{attribute}={table['reference_group']} (adverse-impact ratio {air:.2f} < {min_air:.2f})"
                )
    return out
