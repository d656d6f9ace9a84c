"""Training runs for `oracle models train <model | all>`: one
`fit_and_write` per recipe, with progress bars."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from oracle.ml.training import credit_risk, delivery_delay, shipment_condition
from oracle.ml.training.recipe import Recipe, fit_and_write

RECIPES: dict[str, Recipe[Any, Any]] = {
    recipe.name: recipe for recipe in (credit_risk.RECIPE, shipment_condition.RECIPE, delivery_delay.RECIPE)
}
ALL = "all"

COLUMNS = (
    SpinnerColumn(),
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)


class UnknownModel(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no training recipe named {name!r}: one of {', '.join([*RECIPES, ALL])}")


def _train(recipe: Recipe[Any, Any], out: Path, seed: int | None, progress: Progress) -> None:
    start = perf_counter()
    directory = out / recipe.name
    report = fit_and_write(recipe, directory, seed=seed, progress=progress)
    progress.console.print(
        f"{report.model}: {report.training.chosen}, held-out roc_auc {report.held_out.roc_auc:.4f}, "
        f"brier {report.held_out.brier:.4f}, artifact sha256 {report.artifact.sha256} "
        f"({report.artifact.bytes} bytes), {perf_counter() - start:.1f}s -> {directory}"
    )


def run(name: str, out: Path, seed: int | None = None) -> None:
    """Train the model `name` (its recipe's seed unless `seed`), or every model with its own seed."""
    if name != ALL and name not in RECIPES:
        raise UnknownModel(name)
    with Progress(*COLUMNS) as progress:
        if name != ALL:
            _train(RECIPES[name], out, seed, progress)
            return
        task = progress.add_task("training", total=len(RECIPES))
        for recipe in RECIPES.values():
            progress.update(task, description=f"training {recipe.name}")
            _train(recipe, out, None, progress)
            progress.advance(task)
        progress.update(task, description="trained every model")
