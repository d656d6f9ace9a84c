"""`make up` / `make down` (scripts/stack.py) in a network namespace of its own: every contract in the deployments
file, a lone request answered with the nodes' default settings, a pull report for the page's origin with its
publishable key (and none for another origin), and nothing left running after down."""

import json
import os
import subprocess
import sys

import pytest

from scripts.node_process import REPO

NAMESPACES = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
CONTRACTS = {
    "OracleCoordinator", "AttestationRegistry", "ConsumerMock", "LendingPool", "Stablecoin", "CollateralToken",
    "PriceFeed", "SupplyChainEscrow", "EscrowToken",
}  # fmt: skip


@pytest.mark.skipif(not NAMESPACES, reason="needs network namespaces (unshare -n): the stack's ports are fixed")
def test_make_up_serves_a_page_and_make_down_leaves_nothing(tmp_path):
    env = {**os.environ, "STACK_DIR": str(tmp_path / "stack"), "DEPLOYMENTS_DIR": str(tmp_path / "deployments")}
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "tests.integration.stack_session"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    deployment = result["deployment"]
    assert set(deployment["contracts"]) == CONTRACTS and deployment["chainId"] == 31337
    assert set(deployment["models"]) == {"credit-risk", "delivery-delay", "shipment-condition"}
    assert deployment["threshold"] == 3 and len(deployment["nodes"]) == 4
    assert all(n["encryptionKey"].startswith("0x04") and len(n["encryptionKey"]) == 132 for n in deployment["nodes"])
    assert deployment["publishableKey"].startswith("pk_")
    assert result["lone_request"]["status"] == "OK"
    assert result["pull_from_page"] == {"status": 200, "allow_origin": "http://127.0.0.1:5173", "signatures": 3}
    assert result["pull_from_elsewhere"]["status"] == 403
    assert set(result["stopped"]) == {"anvil", "node0", "node1", "node2", "node3", "api"}
    assert result["alive_after_down"] == []
