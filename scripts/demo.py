"""End-to-end demo on a local anvil chain: `make demo` (python -m scripts.run demo).

Deploys the coordinator, registers every trained model by the sha256 of its artifact and schema,
starts the real oracle node as its own process (`python -m oracle node run`), and drives the
scenarios: held-out loan applicants through a demo consumer, then the applications' scenarios.
Every answer comes from the node: it reads the request events, runs the model, signs and fulfils.
The demo ends by replaying one answer with `oracle verify`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from brownie import ConsumerMock, accounts, chain, web3
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from oracle.chain.coordinator import Coordinator
from oracle.ml.model import LoadedModel
from oracle.ml.registry import model_dirs
from oracle.node_process import NodeProcess, wait_for
from oracle.types import Status, model_id
from scripts import lending_scenario, supply_chain_scenario
from scripts.deployment import deploy_coordinator, is_local, local_signer, save_deployment
from scripts.oracle_answers import wait_for_answers
from scripts.supply_chain_plans import demo_plans

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
FEE_WEI = 10**15
CALLBACK_GAS = 200_000
APPLICANTS = 5

console = Console(width=120)


def quietly():
    return contextlib.redirect_stdout(io.StringIO())  # brownie prints every transaction


def held_out_applicants(model: LoadedModel, count: int) -> list[dict]:
    with (MODELS / "credit-risk" / "held_out.csv").open() as rows:
        applicants = list(csv.DictReader(rows))[:count]
    names = model.schema.feature_names
    return [
        {"row": a["row_id"], "defaulted": a["label"] == "1", "features": [int(a[n]) for n in names]} for a in applicants
    ]


def register_models(coordinator, owner) -> dict[str, LoadedModel]:
    models = {name: LoadedModel.from_dir(path) for name, path in model_dirs(MODELS).items()}
    with quietly():
        for name, model in models.items():
            coordinator.registerModel(model_id(name), model.artifact_hash, model.schema_hash, FEE_WEI, {"from": owner})
    table = Table(title="Models registered on the coordinator (sha256 of the files the node serves)")
    for column in ("model", "artifact sha256", "schema sha256", "held-out ROC AUC"):
        table.add_column(column)
    for name, model in models.items():
        auc = model.report.get("held_out", {}).get("roc_auc")
        table.add_row(
            name, model.artifact_hash.hex()[:20] + "…", model.schema_hash.hex()[:20] + "…", f"{auc:.3f}" if auc else "-"
        )
    console.print(table)
    return models


def start_node(coordinator, signer_key: bytes) -> NodeProcess:
    workdir = Path(tempfile.mkdtemp(prefix="oracle-demo-"))
    node = NodeProcess(web3.provider.endpoint_uri, coordinator.address, signer_key, workdir, poll_interval=0.05)
    node.start()
    wait_for(lambda: "node running" in node.log(), 60, "the node to start", node)
    console.print(
        f"[bold]oracle node[/] started as process {node.process.pid}; state in {node.database}, log in {node.log_path}"
    )
    return node


def credit_requests(coordinator, consumer, model: LoadedModel, applicant, node) -> bytes:
    """Held-out applicants (and one out-of-schema request) through the demo consumer; returns one request id."""
    cases = held_out_applicants(model, APPLICANTS)
    cases.append({"row": "out of schema", "defaulted": None, "features": [10**9] * len(model.schema.features)})
    start = chain.height + 1
    request_txs = []
    with quietly():
        for case in cases:
            deadline = chain[-1].timestamp + 3_600
            request_txs.append(
                consumer.request(
                    model_id("credit-risk"),
                    case["features"],
                    deadline,
                    CALLBACK_GAS,
                    {"from": applicant, "value": FEE_WEI},
                )
            )
    wait_for_answers(coordinator, start, node=node)
    fulfilled = {
        a.request_id: a for a in Coordinator(web3, coordinator.address).answers(start) if a.kind == "fulfilled"
    }
    table = Table(title="Credit-risk predictions answered by the node")
    for column in (
        "held-out row",
        "defaulted",
        "status",
        "PD (bps)",
        "request gas",
        "fulfil tx",
        "answers in tx",
        "tx gas",
    ):
        table.add_column(column, justify="right")
    per_tx: dict[bytes, int] = {}
    for answer in fulfilled.values():
        per_tx[answer.tx_hash] = per_tx.get(answer.tx_hash, 0) + 1
    for case, tx in zip(cases, request_txs, strict=True):
        request_id = bytes(tx.events["PredictionRequested"]["requestId"])
        answer = fulfilled[request_id]
        receipt = web3.eth.get_transaction_receipt(answer.tx_hash)
        table.add_row(
            str(case["row"]),
            {True: "yes", False: "no", None: "-"}[case["defaulted"]],
            answer.status.name,
            str(answer.value) if answer.status == Status.OK else "-",
            f"{tx.gas_used:,}",
            "0x" + answer.tx_hash.hex()[:10] + "…",
            str(per_tx[answer.tx_hash]),
            f"{receipt['gasUsed']:,}",
        )
    console.print(table)
    return bytes(request_txs[0].events["PredictionRequested"]["requestId"])


def settle_with(coordinator, node: NodeProcess):
    """What the scenarios call after sending requests: returns once the node has answered every one."""
    start = chain.height + 1

    def settle() -> None:
        wait_for_answers(coordinator, start, node=node)

    return settle


def lending(coordinator, node: NodeProcess):
    console.rule("[bold]AI lending pool: credit-risk decisions on held-out applicants")
    return lending_scenario.run(coordinator, settle_with(coordinator, node), console)


def start_api(node: NodeProcess) -> tuple[subprocess.Popen, str, str]:
    """`oracle api` next to the node, on its store and models, and a key with the predict scope."""
    created = subprocess.run(
        [sys.executable, "-m", "oracle", "api-keys", "create", "demo frontend", "--scope", "predict"],
        cwd=ROOT,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (node.workdir / "api.log").open("w")
    api = subprocess.Popen(
        [sys.executable, "-m", "oracle", "api"],
        cwd=ROOT,
        env={**node.env, "ORACLE_API_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return requests.get(f"{url}/readyz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(ready, 90, "the API to be ready")
    console.print(f"[bold]oracle api[/] serving {url} (OpenAPI at {url}/docs), log in {node.workdir / 'api.log'}")
    return api, url, key


def instant_loan(scenario, url: str, key: str) -> None:
    """Pull mode: a frontend gets a signed report from the API and the borrower submits it with its own tx."""
    console.rule("[bold]Instant loan: a signed report from the HTTP API, checked on chain by borrowWithReport")
    applicant = lending_scenario.held_out_applicants(lending_scenario.APPLICANTS + 1)[-1]
    borrower = accounts.add(keccak(text="ai-oracle demo instant borrower").hex())
    with quietly():
        accounts[0].transfer(borrower, 10**18)
        scenario.collateral.mint(borrower, 10**18, {"from": borrower})
        scenario.collateral.approve(scenario.pool, 10**18, {"from": borrower})
    response = requests.post(
        f"{url}/v1/predictions",
        json={"model": "credit-risk", "features": applicant.features, "subject": borrower.address},
        headers={"X-API-Key": key},
        timeout=30,
    )
    response.raise_for_status()
    answer = response.json()
    console.print(
        f"POST /v1/predictions for held-out row {applicant.row_id}: PD {answer['value']} bps, valid until "
        f"{answer['valid_until']}, {len(bytes.fromhex(answer['abi']['signatures'][2:])) // 64} signature(s)"
    )
    with quietly():
        tx = scenario.pool.borrowWithReport(
            answer["abi"]["report"],
            answer["abi"]["signatures"],
            10**18,
            applicant.amount,
            applicant.amount // 2,
            {"from": borrower},
        )
    decided = tx.events["LoanDecided"]
    console.print(
        f"borrowWithReport: loan {str(tx.return_value)[:12]}… approved={decided['approved']}, PD {decided['pdBps']} bps, "
        f"drew {scenario.stablecoin.balanceOf(borrower) / 10**6:,.2f} mUSD in the same transaction "
        f"({tx.gas_used:,} gas)"
    )


def supply_chain(coordinator, node: NodeProcess) -> None:
    console.rule("[bold]Supply-chain escrow: delay risk at dispatch, condition at delivery")
    supply_chain_scenario.run(
        coordinator,
        settle_with(coordinator, node),
        console,
        condition_model_id=model_id("shipment-condition"),
        delay_model_id=model_id("delivery-delay"),
        plans=demo_plans(),
    )


def verify(node: NodeProcess, request_id: bytes) -> None:
    console.print(f"[bold]$ oracle verify 0x{request_id.hex()}[/]")
    result = subprocess.run(
        [sys.executable, "-m", "oracle", "verify", "0x" + request_id.hex()],
        cwd=ROOT,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    console.print(result.stdout.rstrip())
    if result.returncode != 0:
        raise SystemExit(f"oracle verify failed:\n{result.stderr}")


def main():
    if not is_local():
        raise SystemExit("the demo signs with anvil's public development key: run it on a local chain")
    owner, applicant = accounts[0], accounts[1]
    signer_account = local_signer()
    with quietly():
        coordinator = deploy_coordinator(owner, [signer_account.address], 1)
        consumer = ConsumerMock.deploy(coordinator, {"from": owner})
    path = save_deployment(OracleCoordinator=coordinator.address, ConsumerMock=consumer.address)
    console.print(f"[bold]OracleCoordinator[/] {coordinator.address}  (1-of-1, signer {signer_account.address})")
    console.print(f"[bold]ConsumerMock[/]      {consumer.address}   addresses in deployments/{path.name}")
    models = register_models(coordinator, owner)

    node = start_node(coordinator, bytes(signer_account.key))
    try:
        request_id = credit_requests(coordinator, consumer, models["credit-risk"], applicant, node)
        scenario = lending(coordinator, node)
        api, url, key = start_api(node)
        try:
            instant_loan(scenario, url, key)
        finally:
            api.terminate()
            api.wait(timeout=15)
        supply_chain(coordinator, node)
        verify(node, request_id)
    finally:
        node.stop()
    console.print(
        f"signer earned {coordinator.balanceOf(signer_account.address) / 1e18:.4f} ETH in fees, "
        "withdrawable with coordinator.withdraw"
    )
