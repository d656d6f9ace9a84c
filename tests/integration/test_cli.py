"""The `oracle` command line against a real chain and a real node's store."""

import json
import subprocess
import sys

from oracle.types import model_id
from scripts.node_process import REPO, wait_for

# anvil's public development key 0: the owner of the test coordinator (accounts[0])
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def oracle(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "oracle", *args],
        cwd=REPO,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_requests_list_and_show_read_the_nodes_store(start_node, requests, held_out_rows):
    node = start_node()
    ids = requests.send([held_out_rows[0][0], [10**9] * 11])
    wait_for(lambda: len(requests.answers()) == 2, 30, "two answers", node)
    node.stop()

    listed = oracle(node.env, "requests", "list", "--json")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    rows = {row["request_id"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["0x" + ids[0].hex()]["answer"] == f"OK {held_out_rows[0][1]}"
    assert rows["0x" + ids[1].hex()]["answer"] == "INVALID_INPUT 0"
    assert {row["state"] for row in rows.values()} == {"confirmed"}

    shown = oracle(node.env, "requests", "show", "0x" + ids[0].hex())
    assert shown.returncode == 0 and "confirmed" in shown.stdout and "sends" in shown.stdout
    missing = oracle(node.env, "requests", "show", "0x" + "ab" * 32)
    assert missing.returncode == 1 and "not in the store" in missing.stdout
    malformed = oracle(node.env, "requests", "show", "0x1234")
    assert malformed.returncode == 2 and "32 bytes" in malformed.stdout


def test_models_register_then_list_shows_the_chain_registration(start_node, served_coordinator):
    env = {**start_node().env, "ORACLE_PRIVATE_KEY": ANVIL_KEY_0}
    assert served_coordinator.getModel(model_id("delivery-delay"))[0] == "0x" + "00" * 32

    registered = oracle(
        env,
        "models",
        "register",
        "delivery-delay",
        "--fee-wei",
        "12345",
        "--gas-price-gwei",
        "1.5",
        "--max-callback-gas",
        "300000",
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert "delivery-delay registered as v1" in registered.stdout
    _, _, version, fee, active, max_callback_gas, gas_price = served_coordinator.getModel(model_id("delivery-delay"))
    assert (version, fee, active, max_callback_gas, gas_price) == (1, 12345, True, 300_000, 1_500_000_000)
    again = oracle(env, "models", "register", "delivery-delay")
    assert "already registered as v1" in again.stdout

    listed = oracle(env, "models", "list", "--chain")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    lines = {line.split("│")[1].strip(): line for line in listed.stdout.splitlines() if line.count("│") > 3}
    assert "v1 matches" in lines["credit-risk"] and "v1 matches" in lines["delivery-delay"]
    assert "not registered" in lines["shipment-condition"]

    not_owner = oracle({**env, "ORACLE_PRIVATE_KEY": "0x" + "5" * 64}, "models", "register", "shipment-condition")
    assert not_owner.returncode == 1 and "does not own the coordinator" in not_owner.stdout
