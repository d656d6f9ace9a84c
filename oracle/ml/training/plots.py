"""report.png: ROC and calibration (reliability) curves, and optionally a subgroup panel (approval rate with
its interval per group), drawn without pyplot's global state (Agg canvas)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from oracle.ml.training.report import CalibrationBin, StatInterval


def write_report_png(
    path: Path,
    y: np.ndarray,
    p: np.ndarray,
    bins: Sequence[CalibrationBin],
    title: str,
    *,
    observed_label: str = "observed default rate",
    subgroups: Mapping[str, StatInterval] | None = None,
    subgroup_title: str = "",
) -> None:
    """`subgroups`: group -> a value with its interval (e.g. approval rate with its bootstrap interval)."""
    panels = 3 if subgroups else 2
    fig = Figure(figsize=(5 * panels, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, panels)
    roc_ax, cal_ax = axes[0], axes[1]
    fpr, tpr, _ = roc_curve(y, p)
    roc_ax.plot(fpr, tpr, label="model")
    roc_ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (held out)")
    roc_ax.legend(loc="lower right")
    predicted = [b.mean_predicted for b in bins]
    observed = [b.observed_rate for b in bins]
    cal_ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    cal_ax.plot(predicted, observed, marker="o", label="model (10 bins)")
    cal_ax.set(
        xlabel="mean predicted probability",
        ylabel=observed_label,
        title="Calibration (held out)",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    cal_ax.legend(loc="upper left")
    if subgroups:
        _subgroup_panel(axes[2], subgroups, subgroup_title)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _subgroup_panel(ax: Any, subgroups: Mapping[str, StatInterval], title: str) -> None:
    names = list(subgroups)
    values = [subgroups[n].value or 0.0 for n in names]
    low = [v - _or(subgroups[n].low, v) for n, v in zip(names, values, strict=True)]
    high = [_or(subgroups[n].high, v) - v for n, v in zip(names, values, strict=True)]
    positions = np.arange(len(names))
    ax.barh(positions, values, xerr=[low, high], color="tab:blue", alpha=0.7, capsize=3)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="share approved", title=title)
    ax.title.set_fontsize(9)
