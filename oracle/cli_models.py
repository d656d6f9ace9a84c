"""`oracle models train | package | fairness | drift`: train the shipped models, bring your own model, audit a
credit model's fairness at a pool's threshold, and compare what a model is served with its training data."""

from __future__ import annotations

import csv
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from oracle.types import model_id

console = Console(soft_wrap=True)
app = typer.Typer()

ModelsDir = Annotated[Path, typer.Option(help="directory holding one sub-directory per model")]


@app.command("train")
def train_command(
    model: Annotated[str, typer.Argument(help="credit-risk, shipment-condition, delivery-delay or all")],
    out: Annotated[Path, typer.Option(help="parent directory; writes OUT/<model>/")] = Path("models"),
    seed: Annotated[
        int | None, typer.Option(help="seed for the split, the CV folds and the estimator (else the recipe's)")
    ] = None,
) -> None:
    """Train from data shipped in packages and write the model directory (what `make models` runs with `all`)."""
    from oracle.ml import train

    try:
        train.run(model, out, seed)
    except train.UnknownModel as error:
        raise typer.BadParameter(str(error), param_hint="MODEL") from None


@app.command("package")
def package(
    estimator: Annotated[Path, typer.Option(help="skops file of your fitted classifier (predict_proba, class 1)")],
    spec: Annotated[Path, typer.Option(help="feature spec: schema.json format (names, kinds, units, scales, ranges)")],
    held_out: Annotated[Path, typer.Option(help="CSV: one column per feature (real values or labels) + `label`")],
    out: Annotated[Path, typer.Option(help="model directory to write, e.g. models/<name>")],
    trust: Annotated[list[str] | None, typer.Option(help="a type your artifact needs beyond the defaults")] = None,
    group_column: Annotated[str | None, typer.Option(help="bootstrap whole groups of this column")] = None,
    id_column: Annotated[str | None, typer.Option(help="column written as held_out.csv's row_id")] = None,
    training_positive_rate: Annotated[float | None, typer.Option(help="base rate from training")] = None,
) -> None:
    """Write a complete model directory (artifact, schema, report, plot, card skeleton, held-out answers)."""
    from oracle.ml.errors import MLError
    from oracle.ml.packaging import PackageInputs
    from oracle.ml.packaging import package as write_package

    inputs = PackageInputs(estimator, spec, held_out, tuple(trust or ()), group_column, id_column)
    try:
        report = write_package(inputs, out, training_positive_rate=training_positive_rate)
    except (MLError, OSError, KeyError, ValueError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    held = report.held_out
    console.print(
        f"[green]{report.model}[/] -> {out}: held-out ROC AUC {held.roc_auc:.3f}, Brier {held.brier:.4f} "
        f"(base rate {held.base_rate_brier:.4f}), ECE {held.ece:.4f}; artifact sha256 "
        f"0x{report.artifact.sha256}, schema sha256 0x{report.schema_file.sha256}. Next: fill in the TODOs of "
        f"MODEL_CARD.md, then `oracle models register {report.model}`."
    )


def fairness_report(name: str, models_dir: Path, threshold_bps: int, min_air: float) -> list[str]:
    """Print the audit of a credit model at `threshold_bps`; returns the bound's violations."""
    from oracle.ml.model import LoadedModel
    from oracle.ml.training import credit_risk, fairness
    from oracle.ml.training.credit_risk_card import fairness_table
    from oracle.ml.training.model_reports import CreditRiskReport

    model = LoadedModel.from_dir(models_dir / name)
    if "fairness" not in model.report:
        raise typer.BadParameter(f"{name} has no fairness audit (only credit-risk models do)")
    report = CreditRiskReport.model_validate(model.report)
    audit = credit_risk.fairness_audit(model, threshold_bps, seed=report.training.seed)
    console.print(f"Fairness of {name} at PD <= {threshold_bps} bps (held-out applicants; {audit.intervals}):")
    console.print(fairness_table(audit), markup=False)
    console.print(
        "Inputs as proxies (cross-validated ROC AUC): "
        + ", ".join(f"{k} {v:.2f}" for k, v in report.proxies.cv_roc_auc.items())
    )
    found = fairness.violations(audit, min_air)
    for line in found:
        console.print(f"[red bold]ADVERSE IMPACT[/] {line}")
    if not found:
        console.print(f"[green]every protected group's adverse-impact ratio is >= {min_air:.2f}[/]")
    return found


@app.command("fairness")
def fairness_command(
    name: str,
    threshold_bps: Annotated[int, typer.Option(help="the pool's decline threshold (maxPdBps)")] = 2000,
    min_air: Annotated[float, typer.Option(help="lowest acceptable adverse-impact ratio")] = 0.8,
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Approval, approval among repayers, adverse-impact ratio, AUC and calibration per group, with intervals;
    exit 1 when a protected group's adverse-impact ratio is below --min-air."""
    if fairness_report(name, models_dir, threshold_bps, min_air):
        raise typer.Exit(1)


def _csv_window(path: Path, names: list[str]) -> tuple[list[Sequence[int]], list[int] | None]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    answers_column = next((c for c in (rows[0] if rows else {}) if c.startswith("expected_")), None)
    features: list[Sequence[int]] = [[int(row[n]) for n in names] for row in rows]
    return features, [int(row[answers_column]) for row in rows] if answers_column else None


def _post_alert(url: str, payload: dict[str, Any], secret: str | None) -> None:
    """POST the alert signed as the API's webhooks are (oracle.webhooks.signing), when a secret is given."""
    from oracle.webhooks import signing as webhook_signing

    sent_at = int(time.time())
    body = webhook_signing.encode_body({**payload, "sent_at": sent_at})
    headers = {
        "Content-Type": "application/json",
        webhook_signing.EVENT_HEADER: "model.drift",
        webhook_signing.TIMESTAMP_HEADER: str(sent_at),
    }
    if secret:
        headers[webhook_signing.SIGNATURE_HEADER] = webhook_signing.signature(secret, body)
    request = urllib.request.Request(url, body, headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the operator's own URL)
        response.read()


def _write_plot(path: Path, name: str, report: Any, threshold: float) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = [*report.feature_psi, "(answers)"]
    values = [*report.feature_psi.values(), report.prediction_psi or 0.0]
    fig = Figure(figsize=(7, 0.3 * len(names) + 1.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.barh(names, values, color=["tab:red" if v > threshold else "tab:blue" for v in values])
    ax.axvline(threshold, linestyle="--", color="grey", label=f"alert at PSI {threshold:g}")
    ax.invert_yaxis()
    ax.set(xlabel="population stability index vs training", title=f"{name}: drift over {report.window} requests")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})


@app.command("drift")
def drift_command(
    name: str,
    inputs: Annotated[
        Path | None, typer.Option(help="CSV of request integers (schema columns); else the store")
    ] = None,
    window: Annotated[int, typer.Option(min=1, help="newest requests compared (from the store)")] = 500,
    threshold: Annotated[float, typer.Option(help="PSI above which to alert")] = 0.25,
    alert_url: Annotated[str | None, typer.Option(help="POST a JSON alert here when past the threshold")] = None,
    alert_secret: Annotated[
        str | None, typer.Option(envvar="ORACLE_DRIFT_ALERT_SECRET", help="HMAC-sign the alert as webhooks are")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="write a PNG of PSI per input here")] = None,
    models_dir: ModelsDir = Path("models"),
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings (for the store)")] = None,
) -> None:
    """PSI per feature and of the answers, over a window of served requests vs the training rows; exit 1
    when any is past --threshold (and POST to --alert-url)."""
    from oracle.ml import drift
    from oracle.ml.model import LoadedModel

    model = LoadedModel.from_dir(models_dir / name)
    if inputs is not None:
        rows, answers = _csv_window(inputs, model.schema.feature_names)
        if answers is None:
            answers = [p.value for p in model.predict(rows)]
    else:
        from oracle.api.drift_metrics import recent_window
        from oracle.cli_settings import runtime_for, settings_or_exit

        rows, answers = recent_window(runtime_for(settings_or_exit(config)).store, model_id(name), window)
    report = drift.compare(model.report["drift_reference"], model.schema, rows, answers)
    table = Table("input", "PSI", title=f"{name}: drift over {report.window} requests vs training")
    for feature, value in report.feature_psi.items():
        table.add_row(feature, f"[red]{value:.3f}[/]" if value > threshold else f"{value:.3f}")
    if report.prediction_psi is not None:
        table.add_row("(answers)", f"{report.prediction_psi:.3f}")
    console.print(table)
    console.print(f"mean answer {report.mean_prediction} vs training {report.training_mean_prediction}")
    if plot is not None:
        _write_plot(plot, name, report, threshold)
    alerts = report.alerts(threshold)
    if alerts:
        console.print("[red bold]DRIFT[/] " + "; ".join(alerts))
        if alert_url:
            _post_alert(
                alert_url,
                {
                    "event": "model.drift",
                    "model": name,
                    "window": report.window,
                    "threshold": threshold,
                    "alerts": alerts,
                    "feature_psi": report.feature_psi,
                    "prediction_psi": report.prediction_psi,
                },
                alert_secret,
            )
        raise typer.Exit(1)
