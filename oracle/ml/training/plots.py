"""report.png: ROC and calibration curves, drawn without pyplot's global state (Agg canvas)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve


def write_report_png(
    path: Path,
    y: np.ndarray,
    p: np.ndarray,
    bins: Sequence[dict[str, Any]],
    title: str,
    *,
    observed_label: str = "observed default rate",
) -> None:
    fig = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    roc_ax, cal_ax = fig.subplots(1, 2)
    fpr, tpr, _ = roc_curve(y, p)
    roc_ax.plot(fpr, tpr, label="model")
    roc_ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (held out)")
    roc_ax.legend(loc="lower right")
    predicted = [b["mean_predicted"] for b in bins]
    observed = [b["observed_rate"] for b in bins]
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
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
