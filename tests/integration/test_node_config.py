"""The node refuses to start on bad settings with a message naming what to fix, and never prints the key."""

import subprocess
import sys

from oracle.node_process import REPO


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
