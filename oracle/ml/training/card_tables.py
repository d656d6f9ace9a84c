"""Markdown pieces shared by the model cards."""

from __future__ import annotations

from typing import Any

from oracle.ml.schema import Feature, FeatureSchema
from oracle.ml.training.report import (
    ApprovalPolicy,
    Bounds,
    GroupMetrics,
    HeldOut,
    ThresholdPolicy,
    Training,
    TrainingReport,
)


def feature_range(feature: Feature) -> str:
    if feature.kind == "numeric":
        return f"{feature.min:g} .. {feature.max:g} {feature.unit}".rstrip()
    return ", ".join(f"{c.code}={c.label}" for c in feature.categories or ())


def feature_rows(schema: FeatureSchema) -> str:
    """| # | feature | scale | accepted range / codes | meaning |"""
    return "\n".join(
        f"| {i} | `{f.name}` | {f.scale} | {feature_range(f)} | {f.description} |"
        for i, f in enumerate(schema.features)
    )


CANDIDATE_HEADER = (
    "| candidate | CV ROC AUC (mean ± sd) | held-out ROC AUC | held-out Brier | held-out ECE | boosting rounds |\n"
    "|---|---|---|---|---|---|"
)


def candidate_rows(training: Training) -> str:
    """Rows under CANDIDATE_HEADER; held-out columns are reported, never used to choose."""
    return "\n".join(
        f"| `{name}`{' (chosen)' if name == training.chosen else ''} | {c.cv_roc_auc_mean:.3f} ± "
        f"{c.cv_roc_auc_std:.3f} | {c.held_out_roc_auc:.3f} | {c.held_out_brier:.4f} | "
        f"{c.held_out_ece:.4f} | {'-' if c.boosting_iterations is None else c.boosting_iterations} |"
        for name, c in training.candidates.items()
    )


def _interval(bounds: Bounds | None, digits: int) -> str:
    return "" if bounds is None else f" ({bounds.low:.{digits}f} .. {bounds.high:.{digits}f})"


def evaluation_rows(held: HeldOut) -> str:
    """| metric | model (95% interval) | base rate | rows of the held-out headline table."""
    drawn = held.intervals
    return "\n".join(
        [
            f"| ROC AUC | {held.roc_auc:.3f}{_interval(drawn.roc_auc, 3)} | 0.5 |",
            f"| Brier score | {held.brier:.4f}{_interval(drawn.brier, 4)} | {held.base_rate_brier:.4f} |",
            f"| Brier skill vs base rate (1 - Brier / base-rate Brier) | {held.brier_skill:.3f}"
            f"{_interval(drawn.brier_skill, 3)} | 0 |",
            f"| expected calibration error (10 bins) | {held.ece:.4f}{_interval(drawn.ece, 4)} | |",
            f"| mean prediction - observed rate | {held.mean_predicted_minus_observed:+.4f}"
            f"{_interval(drawn.mean_predicted_minus_observed, 4)} | |",
            f"| log loss | {held.log_loss:.4f} | |",
            "",
            f"Intervals: 95% percentile bootstrap, {drawn.resampled}, {drawn.reps} draws.",
        ]
    )


def reproducibility(report: TrainingReport, command: str) -> str:
    """The rebuild recipe and the hash it gives."""
    return (
        f"`{command}` (seed {report.training.seed}) gives artifact sha256 `0x{report.artifact.sha256}`. "
        f"Recipe: {report.reproducibility.recipe}. With the pinned packages (`constraints.txt`) the bytes do "
        "not depend on the OpenBLAS kernel: `tests/oracle/ml/test_reproducible.py` trains under two "
        "`OPENBLAS_CORETYPE`s and compares the sha256."
    )


def group_rows(groups: dict[str, GroupMetrics]) -> str:
    """| group | n | positive rate | mean predicted | flagged | ROC AUC |"""
    return "\n".join(
        f"| {name} | {g.count} | {g.positive_rate:.1%} | {g.mean_predicted:.1%} | {g.flagged_rate:.1%} | "
        f"{'n/a' if g.roc_auc is None else format(g.roc_auc, '.3f')} |"
        for name, g in groups.items()
    )


def header_fields(report: TrainingReport) -> dict[str, Any]:
    """Artifact, schema and library fields every card's header table shows."""
    return {
        "model": report.model,
        "chosen": report.training.chosen,
        "seed": report.training.seed,
        "artifact_bytes": report.artifact.bytes,
        "artifact_sha": report.artifact.sha256,
        "schema_sha": report.schema_file.sha256,
        "libraries": ", ".join(f"{k} {v}" for k, v in report.libraries.items()),
    }


def change_fields(report: TrainingReport) -> dict[str, float]:
    """The baseline candidate's held-out figures beside the shipped model's: each card's "measured change"."""
    before, held = report.training.baseline_scores, report.held_out
    return {
        "before_auc": before.held_out_roc_auc,
        "before_brier": before.held_out_brier,
        "before_ece": before.held_out_ece,
        "after_auc": held.roc_auc,
        "after_brier": held.brier,
        "after_ece": held.ece,
    }


def confusion_text(policy: ThresholdPolicy | ApprovalPolicy) -> str:
    return ", ".join(f"{k} {v}" for k, v in policy.confusion_matrix.model_dump().items())


def held_out_fields(report: TrainingReport, policy: ThresholdPolicy) -> dict[str, Any]:
    """Held-out metrics, baselines and the flagging policy's confusion, as the supply-chain cards show them."""
    held, base = report.held_out, report.baselines
    return {
        "roc_auc": held.roc_auc,
        "brier": held.brier,
        "baseline_brier": base.base_rate_brier,
        "evaluation_rows": evaluation_rows(held),
        "log_loss": held.log_loss,
        "baseline_log_loss": base.base_rate_log_loss,
        "accuracy": held.accuracy_at_0_5,
        "baseline_accuracy": base.majority_accuracy,
        "threshold_bps": policy.threshold_bps,
        "flagged_rate": policy.flagged_rate,
        "precision": policy.precision or 0.0,
        "recall": policy.recall,
        "fpr": policy.false_positive_rate,
        "confusion": confusion_text(policy),
        "rows_csv": report.dataset.rows_held_out_csv,
    }
