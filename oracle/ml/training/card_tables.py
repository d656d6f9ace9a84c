"""Markdown pieces shared by the model cards."""

from __future__ import annotations

from typing import Any

from oracle.ml.schema import FeatureSchema


def feature_range(feature: Any) -> str:
    if feature.kind == "numeric":
        return f"{feature.min:g} .. {feature.max:g} {feature.unit}".rstrip()
    return ", ".join(f"{c.code}={c.label}" for c in feature.categories)


def feature_rows(schema: FeatureSchema) -> str:
    """| # | feature | scale | accepted range / codes | meaning |"""
    return "\n".join(
        f"| {i} | `{f.name}` | {f.scale} | {feature_range(f)} | {f.description} |"
        for i, f in enumerate(schema.features)
    )


def candidate_rows(training: dict[str, Any]) -> str:
    return "\n".join(
        f"| `{name}`{' (chosen)' if name == training['chosen'] else ''} | {c['cv_roc_auc_mean']:.3f} ± "
        f"{c['cv_roc_auc_std']:.3f} | {c['held_out_roc_auc']:.3f} |"
        for name, c in training["candidates"].items()
    )


def group_rows(groups: dict[str, Any]) -> str:
    """| group | n | positive rate | mean predicted | flagged | ROC AUC |"""
    return "\n".join(
        f"| {name} | {g['count']} | {g['positive_rate']:.1%} | {g['mean_predicted']:.1%} | {g['flagged_rate']:.1%} | "
        f"{'n/a' if g['roc_auc'] is None else format(g['roc_auc'], '.3f')} |"
        for name, g in groups.items()
    )


def header_fields(report: dict[str, Any]) -> dict[str, Any]:
    """Artifact, schema and library fields every card's header table shows."""
    return {
        "model": report["model"],
        "chosen": report["training"]["chosen"],
        "seed": report["training"]["seed"],
        "artifact_bytes": report["artifact"]["bytes"],
        "artifact_sha": report["artifact"]["sha256"],
        "schema_sha": report["schema"]["sha256"],
        "libraries": ", ".join(f"{k} {v}" for k, v in report["libraries"].items()),
    }


def held_out_fields(report: dict[str, Any]) -> dict[str, Any]:
    """Held-out metrics, baselines and the policy threshold's confusion, as the supply-chain cards show them."""
    held, base, policy = report["held_out"], report["baselines"], report["policy"]
    return {
        "roc_auc": held["roc_auc"],
        "auc_low": held["roc_auc_interval"]["low"],
        "auc_high": held["roc_auc_interval"]["high"],
        "brier": held["brier"],
        "baseline_brier": base["base_rate_brier"],
        "log_loss": held["log_loss"],
        "baseline_log_loss": base["base_rate_log_loss"],
        "accuracy": held["accuracy_at_0_5"],
        "baseline_accuracy": base["majority_accuracy"],
        "threshold_bps": policy["threshold_bps"],
        "flagged_rate": policy["flagged_rate"],
        "precision": policy["precision"] or 0.0,
        "recall": policy["recall"],
        "fpr": policy["false_positive_rate"],
        "confusion": ", ".join(f"{k} {v}" for k, v in policy["confusion_matrix"].items()),
        "rows_csv": report["dataset"]["rows_held_out_csv"],
    }
