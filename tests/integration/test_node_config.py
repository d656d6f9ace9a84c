"""The node refuses to start on bad settings with a message naming what to fix, and never prints the key."""

import subprocess
import sys

from scripts.node_process import REPO


def run_node(env):
    return subprocess.run(
        [sys.executable, "-m", "oracle", "node", "run", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_settings_are_named(tmp_path):
    result = run_node({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "ORACLE_RPC_URL is not set" in result.stdout
    assert "ORACLE_COORDINATOR is not set" in result.stdout


def test_unregistered_key_is_refused_without_printing_it(start_node, web3, served_coordinator, tmp_path):
    key = "0x" + "7" * 64
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ORACLE_RPC_URL": web3.provider.endpoint_uri,
        "ORACLE_COORDINATOR": served_coordinator.address,
        "ORACLE_PRIVATE_KEY": key,
        "ORACLE_MODELS_DIR": str(REPO / "models"),
        "ORACLE_DATABASE": str(tmp_path / "oracle.db"),
    }
    result = run_node(env)
    assert result.returncode == 1
    assert "is not a registered signer" in result.stdout
    assert key[2:] not in result.stdout + result.stderr


def node_env(web3, coordinator, tmp_path, **extra):
    from tests.chain_fixtures import SIGNER_KEYS

    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ORACLE_RPC_URL": web3.provider.endpoint_uri,
        "ORACLE_COORDINATOR": coordinator.address,
        "ORACLE_PRIVATE_KEY": "0x" + SIGNER_KEYS[0].hex(),
        "ORACLE_MODELS_DIR": str(REPO / "models"),
        "ORACLE_DATABASE": str(tmp_path / "oracle.db"),
        **extra,
    }


def test_a_peer_that_is_not_a_registered_signer_is_refused(web3, served_coordinator, tmp_path):
    stranger = "0x" + "ab" * 20
    result = run_node(node_env(web3, served_coordinator, tmp_path, ORACLE_PEERS=f"{stranger}@http://127.0.0.1:9"))
    assert result.returncode == 1
    assert "ORACLE_PEERS" in result.stdout and "is not a registered signer" in result.stdout


def test_a_threshold_above_one_needs_enough_peers(web3, served_coordinator, owner, signer_accounts, tmp_path):
    served_coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    served_coordinator.setThreshold(2, {"from": owner})
    result = run_node(node_env(web3, served_coordinator, tmp_path))
    assert result.returncode == 1
    assert "threshold is 2" in result.stdout and "at least 1 peers in ORACLE_PEERS" in result.stdout
