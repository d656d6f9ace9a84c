"""One `make up` ... `make down` cycle with checks between, printed as JSON: run by test_stack.py inside a network
namespace of its own (`unshare -n`), where the stack's fixed ports are free whatever else runs on the machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psutil
import requests
from web3 import Web3

from oracle.chain.coordinator import Coordinator
from scripts import stack

CALLBACK_GAS = 150_000

CONSUMER_ABI = [
    {
        "type": "function",
        "name": "request",
        "stateMutability": "payable",
        "inputs": [
            {"name": "modelId", "type": "bytes32"},
            {"name": "features", "type": "int256[]"},
            {"name": "deadline", "type": "uint64"},
            {"name": "callbackGasLimit", "type": "uint32"},
        ],
        "outputs": [{"name": "", "type": "bytes32"}],
    }
]


def _applicant() -> list[int]:
    """The first held-out credit-risk applicant, features in the schema's order."""
    from oracle.ml.model_directory import ModelDirectory
    from oracle.ml.schema import FeatureSchema

    directory = ModelDirectory(stack.ROOT / "models" / "credit-risk")
    return directory.held_out_features(FeatureSchema.from_file(directory.schema).feature_names, limit=1)[0]


FEATURES = _applicant()


def lone_request(deployment: dict) -> dict:
    """One request from anvil's first account through the demo consumer, with nothing after it: answered only if
    the nodes read the head block (confirmations default to 0 on a local chain)."""
    w3 = Web3(Web3.HTTPProvider(deployment["rpcUrl"]))
    sender = w3.eth.accounts[1]
    consumer = w3.eth.contract(address=deployment["contracts"]["ConsumerMock"], abi=CONSUMER_ABI)
    model = bytes.fromhex(deployment["models"]["credit-risk"][2:])
    deadline = w3.eth.get_block("latest")["timestamp"] + 3_600
    coordinator = Coordinator(w3, deployment["contracts"]["OracleCoordinator"])
    fee = coordinator.request_fee(model, CALLBACK_GAS)
    tx = consumer.functions.request(model, FEATURES, deadline, CALLBACK_GAS).transact({"from": sender, "value": fee})
    block = w3.eth.wait_for_transaction_receipt(tx)["blockNumber"]
    deadline_at = time.monotonic() + 120
    while time.monotonic() < deadline_at:
        answers = [a for a in coordinator.answers(block) if a.kind == "fulfilled"]
        if answers:
            return {"status": answers[0].status.name, "value": answers[0].value}
        time.sleep(0.3)
    return {"status": "unanswered"}


def pull(deployment: dict, origin: str) -> dict:
    response = requests.post(
        deployment["apiUrl"] + "/v1/predictions",
        json={
            "model": "credit-risk",
            "features": FEATURES,
            "subject": Web3(Web3.HTTPProvider(deployment["rpcUrl"])).eth.accounts[1],
            "consumer": deployment["contracts"]["LendingPool"],
        },
        headers={"X-API-Key": deployment["publishableKey"], "Origin": origin},
        timeout=60,
    )
    body = response.json()
    signatures = body.get("abi", {}).get("signatures", "0x")
    return {
        "status": response.status_code,
        "allow_origin": response.headers.get("access-control-allow-origin"),
        "signatures": (len(signatures) - 2) // 128,
    }


def main() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    result: dict = {}
    try:
        deployment = stack.up(page=False)
        result["deployment"] = deployment
        result["recorded"] = [entry["pid"] for entry, _ in stack.running()]
        result["lone_request"] = lone_request(deployment)
        result["pull_from_page"] = pull(deployment, "http://127.0.0.1:5173")
        result["pull_from_elsewhere"] = pull(deployment, "https://copycat.example")
    finally:
        result["stopped"] = stack.down()
    result["alive_after_down"] = [pid for pid in result.get("recorded", []) if psutil.pid_exists(pid)]
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
