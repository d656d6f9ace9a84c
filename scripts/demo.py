"""End-to-end demo on a local anvil chain: `make demo` (python -m scripts.run demo).

Deploys the coordinator with four signers and threshold 3 (one faulty signer tolerated), registers every
trained model by the sha256 of its artifact and schema, starts a network of four real oracle nodes, each
its own process (`python -m oracle node run`) with its own key, store and API, and drives the scenarios:
held-out loan applicants through a demo consumer, then the applications' scenarios. Every answer comes
from the network: each node reads the request events, runs the model and signs; the nodes exchange their
observations and one of them sends a report with three signatures. One node is stopped during the lending
scenario and the answers keep coming; restarted, it catches up. The demo ends by replaying one answer
with `oracle verify`.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import requests
from brownie import ConsumerMock, accounts, chain, web3
from eth_account import Account
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from oracle.chain.coordinator import Coordinator
from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ModelDirectory
from oracle.ml.registry import model_dirs
from oracle.privacy.attestation import Attestation, AttestationDomain, sign_attestation
from oracle.privacy.commitment import commitment, new_salt
from oracle.privacy.envelope import Recipient, seal
from oracle.types import Status, model_id
from scripts import lending_scenario, supply_chain_scenario
from scripts.demo_network import DemoNetwork, local_signers
from scripts.deployment import (
    LOCAL_PRICING,
    deploy_attestation_registry,
    deploy_coordinator,
    is_local,
    save_deployment,
)
from scripts.node_process import NodeProcess, wait_for
from scripts.oracle_answers import wait_for_answers
from scripts.supply_chain_plans import demo_plans

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
CALLBACK_GAS = 200_000
APPLICANTS = 5
NODES, THRESHOLD = 4, 3
TRANSMIT_STAGGER = 1.0  # seconds; anvil mines each transaction at once
FINAL = {"confirmed", "failed", "expired"}

console = Console(width=120)


def quietly():
    return contextlib.redirect_stdout(io.StringIO())  # brownie prints every transaction


def held_out_applicants(model: LoadedModel, count: int) -> list[dict]:
    names = model.schema.feature_names
    return [
        {"row": str(a["row_id"]), "defaulted": a["label"] == 1, "features": [a[n] for n in names]}
        for a in ModelDirectory(MODELS / "credit-risk").held_out_rows(count)
    ]


def register_models(coordinator, owner) -> dict[str, LoadedModel]:
    models = {name: LoadedModel.from_dir(path) for name, path in model_dirs(MODELS).items()}
    with quietly():
        for name, model in models.items():
            coordinator.registerModel(
                model_id(name), model.artifact_hash, model.schema_hash, LOCAL_PRICING.as_abi(), {"from": owner}
            )
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


def start_network(coordinator) -> DemoNetwork:
    net = DemoNetwork(
        web3.provider.endpoint_uri,
        coordinator.address,
        local_signers(NODES),
        poll_interval=0.05,
        transmit_stagger=TRANSMIT_STAGGER,
    )
    net.start()
    wrapper = Coordinator(web3, coordinator.address)
    wait_for(lambda: len(wrapper.encryption_keys()) == NODES, 60, "every node's encryption key on the coordinator")
    table = Table(title=f"Oracle network: {NODES} nodes, threshold {THRESHOLD} (tolerates 1 faulty node)")
    for column in ("node", "signer", "encryption key", "process", "API", "store"):
        table.add_column(column)
    keys = dict(wrapper.encryption_keys())
    for i, node in enumerate(net.nodes):
        table.add_row(
            str(i),
            net.signers[i].address,
            "0x" + keys[net.signers[i].address].hex()[:12] + "…",
            str(node.process.pid),
            net.api_url(i),
            str(node.database),
        )
    console.print(table)
    return net


def credit_requests(coordinator, consumer, model: LoadedModel, applicant, net: DemoNetwork):
    """Held-out applicants (and one out-of-schema request) through the demo consumer, privately: each request
    carries the commitment of a salt and the features, the features sealed to the nodes' published keys.
    Returns the first request's id with its salt and features (what its applicant keeps)."""
    cases = held_out_applicants(model, APPLICANTS)
    cases.append({"row": "out of schema", "defaulted": None, "features": [10**9] * len(model.schema.features)})
    recipients = [Recipient(address, key) for address, key in Coordinator(web3, coordinator.address).encryption_keys()]
    start = chain.height + 1
    request_txs, opened = [], []
    fee_wei = coordinator.requestFee(model_id("credit-risk"), CALLBACK_GAS)
    with quietly():
        for case in cases:
            deadline = chain[-1].timestamp + 3_600
            salt = new_salt()
            opened.append((salt, case["features"]))
            request_txs.append(
                consumer.privateRequest(
                    model_id("credit-risk"),
                    commitment(salt, case["features"]),
                    seal(salt, case["features"], recipients),
                    (applicant.address, 0, b""),
                    deadline,
                    CALLBACK_GAS,
                    {"from": applicant, "value": fee_wei},
                )
            )
    wait_for_answers(coordinator, start, node=net.nodes[0])
    fulfilled = {
        a.request_id: a for a in Coordinator(web3, coordinator.address).answers(start) if a.kind == "fulfilled"
    }
    table = Table(title="Credit-risk predictions answered by the network (private requests: features sealed)")
    for column in (
        "held-out row",
        "defaulted",
        "status",
        "PD (bps)",
        "signed values",
        "sent by node",
        "request gas",
        "answers in tx",
        "tx gas",
    ):
        table.add_column(column, justify="right")
    per_tx: dict[bytes, int] = {}
    for answer in fulfilled.values():
        per_tx[answer.tx_hash] = per_tx.get(answer.tx_hash, 0) + 1
    signers = [s.address for s in net.signers]
    for case, tx in zip(cases, request_txs, strict=True):
        request_id = bytes(tx.events["PrivatePredictionRequested"]["requestId"])
        answer = fulfilled[request_id]
        receipt = web3.eth.get_transaction_receipt(answer.tx_hash)
        table.add_row(
            str(case["row"]),
            {True: "yes", False: "no", None: "-"}[case["defaulted"]],
            answer.status.name,
            str(answer.value) if answer.status == Status.OK else "-",
            " ".join(str(v) for v in _report_values(coordinator, answer.tx_hash, request_id)),
            str(signers.index(receipt["from"])),
            f"{tx.gas_used:,}",
            str(per_tx[answer.tx_hash]),
            f"{receipt['gasUsed']:,}",
        )
    console.print(table)
    return bytes(request_txs[0].events["PrivatePredictionRequested"]["requestId"]), opened[0]


def _report_values(coordinator, tx_hash: bytes, request_id: bytes) -> list[int]:
    """The values (one per signature) of `request_id`'s report in the fulfillBatch transaction `tx_hash`."""
    contract = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)
    _, args = contract.decode_function_input(web3.eth.get_transaction(tx_hash)["input"])
    return next(list(r["values"]) for r in args["reports"] if bytes(r["requestId"]) == request_id)


def settle_with(coordinator, node: NodeProcess):
    """What the scenarios call after sending requests: returns once the network has answered every one."""
    start = chain.height + 1

    def settle() -> None:
        wait_for_answers(coordinator, start, node=node)

    return settle


def node_down_and_back(coordinator, net: DemoNetwork, run_without):
    """Stops the last node, runs `run_without` on the others, then restarts it and waits for it to catch up."""
    console.print(f"[bold yellow]stopping node {NODES - 1}[/] (SIGTERM): {THRESHOLD} of {NODES} nodes still answer")
    net.stop(NODES - 1)
    result = run_without()
    console.print(f"[bold]restarting node {NODES - 1}[/]: it reads the blocks it missed from its checkpoint")
    started = time.monotonic()
    net.start(NODES - 1)

    def caught_up() -> bool:  # every request on chain in its store, each settled
        states = net.states(NODES - 1)
        return sum(states.values()) == coordinator.requestCount() and set(states) <= FINAL

    wait_for(caught_up, 120, "the restarted node to catch up", net.nodes[-1])
    states = net.states(NODES - 1)
    console.print(
        f"node {NODES - 1} caught up in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
        + " (answers it did not send are settled from the chain's events)"
    )
    return result


def lending(coordinator, net: DemoNetwork):
    console.rule("[bold]AI lending pool: credit-risk decisions on held-out applicants")
    return node_down_and_back(
        coordinator, net, lambda: lending_scenario.run(coordinator, settle_with(coordinator, net.nodes[0]), console)
    )


def api_key(node: NodeProcess) -> str:
    """A key with the predict scope, made on the node's host as an operator would (`oracle api-keys create`)."""
    created = subprocess.run(
        [sys.executable, "-m", "oracle", "api-keys", "create", "demo frontend", "--scope", "predict"],
        cwd=ROOT,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def coordinator_registry(scenario) -> str:
    return Coordinator(web3, scenario.pool.coordinator()).attestation_registry()


def approvable_applicant(skip: int) -> lending_scenario.Applicant:
    """The first held-out applicant after the first `skip` whose committed expected PD the pool approves: an
    instant loan is a pull report the pool acts on at once, so a rejection would only revert."""
    expected = [row["expected_pd_bps"] for row in ModelDirectory(MODELS / "credit-risk").held_out_rows()]
    applicants = lending_scenario.held_out_applicants(len(expected))
    candidates = list(zip(applicants, expected, strict=True))[skip:]
    return next(a for a, pd in candidates if pd <= lending_scenario.POLICY[0])


def instant_loan(scenario, url: str, key: str) -> None:
    """Pull mode: a frontend gets a signed report from the API and the borrower submits it with its own tx."""
    console.rule("[bold]Instant loan: a signed report from the HTTP API, checked on chain by borrowWithReport")
    applicant = approvable_applicant(lending_scenario.APPLICANTS + 1)
    borrower = accounts.add(keccak(text="ai-oracle demo instant borrower").hex())
    with quietly():
        accounts[0].transfer(borrower, 10**18)
        scenario.collateral.mint(borrower, 10**18, {"from": borrower})
        scenario.collateral.approve(scenario.pool, 10**18, {"from": borrower})
    # the bureau attests the borrower's features for the pool's model, as for a push application
    salt, expires = new_salt(), chain.time() + 3_600
    domain = AttestationDomain(chain.id, coordinator_registry(scenario))
    attestation = Attestation(borrower.address, model_id("credit-risk"), commitment(salt, applicant.features), expires)
    signature = sign_attestation(Account.from_key(lending_scenario.BUREAU_KEY), domain, attestation)
    response = requests.post(
        f"{url}/v1/predictions",
        json={
            "model": "credit-risk",
            "features": applicant.features,
            "subject": borrower.address,
            "consumer": scenario.pool.address,
            "salt": "0x" + salt.hex(),
            "attestation": {"expires_at": expires, "signature": "0x" + signature.hex()},
        },
        headers={"X-API-Key": key},
        timeout=30,
    )
    response.raise_for_status()
    answer = response.json()
    console.print(
        f"POST {url}/v1/predictions for held-out row {applicant.row_id}: PD {answer['value']} bps "
        f"(values {answer['report']['values']}), valid until {answer['valid_until']}, "
        f"{len(bytes.fromhex(answer['abi']['signatures'][2:])) // 64} signatures from the network's peers"
    )
    with quietly():
        tx = scenario.pool.borrowWithReport(
            answer["abi"]["report"],
            answer["abi"]["signatures"],
            10**18,
            applicant.amount,
            applicant.amount // 2,
            expires,
            signature,
            {"from": borrower},
        )
    decided = tx.events["LoanDecided"]
    console.print(
        f"borrowWithReport: loan {str(tx.return_value)[:12]}… approved={decided['approved']}, PD {decided['pdBps']} bps, "
        f"drew {scenario.stablecoin.balanceOf(borrower) / 10**6:,.2f} mUSD in the same transaction "
        f"({tx.gas_used:,} gas)"
    )


def supply_chain(coordinator, net: DemoNetwork) -> None:
    console.rule("[bold]Supply-chain escrow: delay risk at dispatch, condition at delivery")
    supply_chain_scenario.run(
        coordinator,
        settle_with(coordinator, net.nodes[0]),
        console,
        condition_model_id=model_id("shipment-condition"),
        delay_model_id=model_id("delivery-delay"),
        plans=demo_plans(),
    )


def verify(node: NodeProcess, request_id: bytes, opened: tuple[bytes, list[int]]) -> None:
    """`oracle verify` as an auditor without the features (signatures and artifact), then as the applicant, who
    holds the features and salt (a replay of the answer)."""
    features_file = node.workdir / "applicant-features.json"
    features_file.write_text(json.dumps({"salt": "0x" + opened[0].hex(), "features": list(opened[1])}))
    for extra in ([], ["--features", str(features_file)]):
        command = ["oracle", "verify", "0x" + request_id.hex(), *extra]
        console.print(f"[bold]$ {' '.join(command)}[/]")
        result = subprocess.run(
            [sys.executable, "-m", *command], cwd=ROOT, env=node.env, capture_output=True, text=True, timeout=120
        )
        console.print(result.stdout.rstrip())
        if result.returncode != 0:
            raise SystemExit(f"oracle verify failed:\n{result.stderr}")


def main():
    if not is_local():
        raise SystemExit("the demo signs with anvil's public development keys: run it on a local chain")
    owner, applicant = accounts[0], accounts[1]
    signers = local_signers(NODES)
    with quietly():
        coordinator = deploy_coordinator(owner, [s.address for s in signers], THRESHOLD)
        registry = deploy_attestation_registry(owner, coordinator)
        consumer = ConsumerMock.deploy(coordinator, {"from": owner})
    path = save_deployment(
        contracts={
            "OracleCoordinator": coordinator.address,
            "AttestationRegistry": registry.address,
            "ConsumerMock": consumer.address,
        },
        threshold=THRESHOLD,
        nodes=[{"signer": s.address} for s in signers],
    )
    console.print(f"[bold]OracleCoordinator[/] {coordinator.address}  ({THRESHOLD}-of-{NODES} signers)")
    console.print(f"[bold]ConsumerMock[/]      {consumer.address}   addresses in deployments/{path.name}")
    models = register_models(coordinator, owner)

    net = start_network(coordinator)
    try:
        request_id, opened = credit_requests(coordinator, consumer, models["credit-risk"], applicant, net)
        scenario = lending(coordinator, net)
        instant_loan(scenario, net.api_url(0), api_key(net.nodes[0]))
        supply_chain(coordinator, net)
        verify(net.nodes[0], request_id, opened)
    finally:
        net.stop()
    earned = ", ".join(f"node {i} {coordinator.balanceOf(s.address) / 1e18:.4f}" for i, s in enumerate(signers))
    console.print(f"fees earned (ETH, withdrawable with coordinator.withdraw): {earned}")
