"""End-to-end demo on a local anvil chain: `make demo` (brownie run scripts/demo.py).

Deploys the coordinator and a demo consumer, registers the credit-risk model by the sha256 of its
artifact and schema, has held-out loan applicants request predictions on chain, answers each with
the trained model, signs the answer (EIP-712) and fulfils it, then prints what the chain recorded.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from brownie import ConsumerMock, accounts, chain
from rich.console import Console
from rich.table import Table

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner, sign_report
from oracle.ml.model import LoadedModel
from oracle.types import Request, Status, model_id
from scripts.deployment import deploy_coordinator, is_local, local_signer, save_deployment

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "credit-risk"
FEE_WEI = 10**15
CALLBACK_GAS = 200_000
APPLICANTS = 5

console = Console(width=110)


def held_out_applicants(model: LoadedModel, count: int) -> list[dict]:
    with (MODEL_DIR / "held_out.csv").open() as rows:
        applicants = list(csv.DictReader(rows))[:count]
    names = [feature.name for feature in model.schema.features]
    return [
        {"row": a["row_id"], "defaulted": a["label"] == "1", "features": [int(a[n]) for n in names]} for a in applicants
    ]


def answer(model: LoadedModel, signer: ObservationSigner, coordinator, relayer, request_tx):
    """What the oracle node does for one request: read the event, predict, sign, fulfil."""
    event = request_tx.events["PredictionRequested"]
    request_id, request = bytes(event["requestId"]), Request.from_abi(event["request"])
    prediction = model.predict([list(event["features"])])[0]
    report, signatures = sign_report([signer], request_id, request, prediction.status, [prediction.value])
    return coordinator.fulfill(report.as_abi(), signatures, {"from": relayer})


def main():
    if not is_local():
        raise SystemExit("the demo signs with anvil's public development key: run it on the development network")
    owner, applicant, relayer = accounts[0], accounts[1], accounts[2]
    model = LoadedModel.from_dir(MODEL_DIR)
    credit_risk = model_id(model.name)

    with contextlib.redirect_stdout(io.StringIO()):  # brownie prints every transaction
        signer_account = local_signer()
        coordinator = deploy_coordinator(owner, [signer_account.address], 1)
        coordinator.registerModel(credit_risk, model.artifact_hash, model.schema_hash, FEE_WEI, {"from": owner})
        consumer = ConsumerMock.deploy(coordinator, {"from": owner})
    signer = ObservationSigner(signer_account, CoordinatorDomain(chain.id, coordinator.address))
    path = save_deployment(OracleCoordinator=coordinator.address, ConsumerMock=consumer.address)

    console.print(f"[bold]OracleCoordinator[/] {coordinator.address}  (1-of-1, signer {signer.address})")
    console.print(f"[bold]ConsumerMock[/]      {consumer.address}   addresses in {path.name}")
    console.print(
        f"[bold]model[/] {model.name}: artifact sha256 {model.artifact_hash.hex()[:16]}…, "
        f"schema sha256 {model.schema_hash.hex()[:16]}…, held-out ROC AUC {model.report['held_out']['roc_auc']:.3f}"
    )

    table = Table(title="Credit-risk predictions delivered on chain")
    for column in ("held-out row", "defaulted", "status", "PD (bps)", "consumer stored", "request gas", "fulfil gas"):
        table.add_column(column, justify="right")

    cases = held_out_applicants(model, APPLICANTS)
    out_of_schema = [10**9] * len(model.schema.features)
    cases.append({"row": "out of schema", "defaulted": None, "features": out_of_schema})
    for case in cases:
        with contextlib.redirect_stdout(io.StringIO()):
            deadline = chain[-1].timestamp + 3_600
            request_tx = consumer.request(
                credit_risk, case["features"], deadline, CALLBACK_GAS, {"from": applicant, "value": FEE_WEI}
            )
            fulfil_tx = answer(model, signer, coordinator, relayer, request_tx)
        fulfilled = fulfil_tx.events["PredictionFulfilled"]
        status = Status(fulfilled["status"])
        table.add_row(
            str(case["row"]),
            {True: "yes", False: "no", None: "-"}[case["defaulted"]],
            status.name,
            str(fulfilled["value"]) if status == Status.OK else "-",
            f"{Status(consumer.lastStatus()).name} {consumer.lastValue()}",
            f"{request_tx.gas_used:,}",
            f"{fulfil_tx.gas_used:,}",
        )
    console.print(table)
    console.print(
        f"signer earned {coordinator.balanceOf(signer.address) / 1e18:.4f} ETH in fees "
        f"({len(cases)} requests at {FEE_WEI / 1e18:.4f} ETH), withdrawable with coordinator.withdraw"
    )
