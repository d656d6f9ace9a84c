"""The README's "Deploying to a testnet", step by step as its commands, against a stand-in for Sepolia: an anvil
with Sepolia's chain id (11155111) and 1-second blocks, reached the way the README reaches Sepolia (brownie's
`sepolia` network through SEPOLIA_RPC_URL). Four operators' keys, funding, the deploy with their addresses,
the owner's keystore, the registration, four nodes from copies of oracle.example.toml, and a request answered
by three of them. Only the faucet (funding the printed addresses) and the request are done here by web3."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from eth_account import Account
from web3 import Web3

from oracle.types import model_id
from scripts.node_process import REPO, wait_for
from scripts.ports import free_port

SEPOLIA_CHAIN_ID = 11155111
NODES, THRESHOLD = 4, 3
ORACLE = str(Path(sys.executable).parent / "oracle")
FEE_WEI = 10**15
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def _run(command: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(command, cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stdout + done.stderr, f"{' '.join(command)} printed a traceback:\n{done.stderr}"
    return done.stdout


def _run_each(commands: list[list[str]], env: dict[str, str]) -> list[str]:
    """Commands that operators run on their own hosts, run side by side here; their outputs in order."""
    running = [
        subprocess.Popen(c, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    outputs = []
    for command, process in zip(commands, running, strict=True):
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"{' '.join(command)} failed:\n{out[-3000:]}\n{err[-3000:]}"
        outputs.append(out)
    return outputs


@pytest.fixture
def sepolia_stand_in(tmp_path):
    port = free_port()
    anvil = subprocess.Popen(
        ["anvil", "--chain-id", str(SEPOLIA_CHAIN_ID), "--block-time", "1", "--port", str(port)],
        stdout=(tmp_path / "anvil.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(Web3.HTTPProvider(url))
    wait_for(lambda: w3.is_connected(), 30, "anvil")
    yield url, w3
    anvil.send_signal(signal.SIGTERM)
    anvil.wait(10)


def _node_config(path: Path, rpc_url: str, coordinator: str, keystore: Path, port: int, peers: list[str]) -> Path:
    """Step 5: oracle.example.toml copied, with this operator's values in the keys the README names."""
    text = (REPO / "oracle.example.toml").read_text()
    values = {
        "rpc_url": rpc_url,
        "coordinator": coordinator,
        "keystore": str(keystore),
        "keystore_password_file": str(keystore.with_suffix(".password")),
        "database": str(path.parent / f"{path.stem}.db"),
        "api_host": "127.0.0.1",
        "api_port": port,
        "metrics_port": free_port(),  # four nodes on one host: each its own metrics port too
    }
    for key, value in values.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^peers = \[.*?\]", f"peers = {json.dumps(peers)}", text, count=1, flags=re.MULTILINE | re.DOTALL)
    path.write_text(text)
    return path


def test_the_readme_testnet_steps_get_an_answer(sepolia_stand_in, tmp_path):
    rpc_url, w3 = sepolia_stand_in
    Account.enable_unaudited_hdwallet_features()
    deployer = Account.from_mnemonic(ANVIL_MNEMONIC)  # a funded key, as the README's DEPLOYER_PRIVATE_KEY
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("ORACLE_", "SEPOLIA_", "DEPLOYER_"))}
    keys = tmp_path / "keys"

    # 1. each node's key; 2. fund each address
    keystores = [keys / f"node{i + 1}.json" for i in range(NODES)]
    signers = [
        out.strip().splitlines()[-1]
        for out in _run_each([[ORACLE, "keys", "new", str(k)] for k in keystores], base_env)
    ]
    funding = []
    for signer in signers:
        tx = {"to": signer, "value": 10**18, "nonce": w3.eth.get_transaction_count(deployer.address, "pending")}
        tx.update(gas=21_000, maxFeePerGas=10 * w3.eth.gas_price, maxPriorityFeePerGas=10**9, chainId=SEPOLIA_CHAIN_ID)
        funding.append(w3.eth.send_raw_transaction(deployer.sign_transaction(tx).raw_transaction))
    # mined before the deploy, whose brownie account numbers its transaction from the mined nonce
    for tx_hash in funding:
        w3.eth.wait_for_transaction_receipt(tx_hash)

    # 3. deploy the coordinator with the four addresses
    deploy_env = {
        **base_env,
        "SEPOLIA_RPC_URL": rpc_url,
        "DEPLOYER_PRIVATE_KEY": "0x" + bytes(deployer.key).hex(),
        "ORACLE_SIGNERS": ",".join(signers),
        "ORACLE_THRESHOLD": str(THRESHOLD),
        "DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
    }
    _run([sys.executable, "-m", "scripts.run", "deploy", "--network", "sepolia"], deploy_env)
    deployment = json.loads((tmp_path / "deployments" / f"{SEPOLIA_CHAIN_ID}.json").read_text())
    coordinator = deployment["contracts"]["OracleCoordinator"]
    assert [n["signer"] for n in deployment["nodes"]] == signers and deployment["threshold"] == THRESHOLD
    assert not any((REPO / "build" / "deployments").iterdir()), "brownie's deployment records were left behind"

    # 4. the owner's keystore, then register the model
    _run(
        [ORACLE, "keys", "import", str(keys / "owner.json")], base_env, stdin=deploy_env["DEPLOYER_PRIVATE_KEY"] + "\n"
    )
    owner_env = {**base_env, "ORACLE_RPC_URL": rpc_url, "ORACLE_COORDINATOR": coordinator}
    registered = _run(
        [
            ORACLE,
            "models",
            "register",
            "credit-risk",
            "--fee-wei",
            str(FEE_WEI),
            "--min-air",
            "0.4",
            "--owner-keystore",
            str(keys / "owner.json"),
        ],
        owner_env,
    )
    assert "credit-risk registered as v1" in registered

    # 5. each operator's oracle.toml and node (the API inside it), models defaulting to the registered one
    ports = [free_port() for _ in range(NODES)]
    configs = [
        _node_config(
            tmp_path / f"oracle{i + 1}.toml",
            rpc_url,
            coordinator,
            keystores[i],
            ports[i],
            [f"{signers[j]}@http://127.0.0.1:{ports[j]}" for j in range(NODES) if j != i],
        )
        for i in range(NODES)
    ]
    nodes = [
        subprocess.Popen(
            [ORACLE, "node", "run", "--config", str(config)],
            cwd=REPO,
            env=base_env,
            stdout=(tmp_path / f"node{i + 1}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i, config in enumerate(configs)
    ]
    try:
        for i, port in enumerate(ports):
            wait_for(lambda p=port: _ready(p), 180, f"node {i + 1}'s /readyz")

        # a request, answered by three of the four nodes
        answer = _request_and_wait(w3, deployer, coordinator)
        assert answer["status"] == "OK" and 0 <= answer["value"] <= 10_000
        assert answer["signatures"] == THRESHOLD and answer["sent_by"] in signers
    finally:
        for node in nodes:
            node.send_signal(signal.SIGTERM)
        for node in nodes:
            node.wait(30)


def _ready(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _request_and_wait(w3: Web3, sender, coordinator: str) -> dict:
    """Deploys the demo consumer, sends one credit-risk request and waits for its fulfilment's event."""
    from oracle.chain.coordinator import Coordinator

    artifact = json.loads((REPO / "build" / "contracts" / "ConsumerMock.json").read_text())
    consumer_class = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])

    def send(call, value: int = 0) -> dict:
        tx = call.build_transaction(
            {"from": sender.address, "value": value, "nonce": w3.eth.get_transaction_count(sender.address, "pending")}
        )
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction), timeout=60
        )
        assert receipt["status"] == 1
        return receipt

    consumer = send(consumer_class.constructor(coordinator))["contractAddress"]
    features = _held_out_features()
    deadline = w3.eth.get_block("latest")["timestamp"] + 3_600
    call = w3.eth.contract(address=consumer, abi=artifact["abi"]).functions.request(
        model_id("credit-risk"), features, deadline, 150_000
    )
    start = send(call, FEE_WEI)["blockNumber"]
    wrapper = Coordinator(w3, coordinator)
    fulfilled = wait_for(
        lambda: [a for a in wrapper.answers(start) if a.kind == "fulfilled"], 120, "the network's answer"
    )
    answer = fulfilled[0]
    _, values, signatures = wrapper.report_of(answer.request_id, answer.tx_hash)
    return {
        "status": answer.status.name,
        "value": answer.value,
        "signatures": len(signatures) // 64,  # compact (EIP-2098) signatures
        "sent_by": w3.eth.get_transaction(answer.tx_hash)["from"],
    }


def _held_out_features() -> list[int]:
    from oracle.ml.model_directory import ModelDirectory
    from oracle.ml.schema import FeatureSchema

    directory = ModelDirectory(REPO / "models" / "credit-risk")
    return directory.held_out_features(FeatureSchema.from_file(directory.schema).feature_names, limit=1)[0]
