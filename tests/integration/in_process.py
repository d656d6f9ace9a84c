"""The node built in the test process by its real Runtime, on a web3 client that can inject RPC faults."""

from __future__ import annotations

from pathlib import Path

from oracle.config import load_settings
from oracle.runtime import Runtime
from scripts.node_process import REPO
from tests.chain_fixtures import SIGNER_KEYS
from tests.faults.provider import FaultyProvider, faulty_web3


def faulty_runtime(endpoint_uri: str, coordinator: str, workdir: Path, **settings) -> tuple[Runtime, FaultyProvider]:
    """A Runtime for the first test signer whose every RPC call goes through a FaultyProvider."""
    values = {
        "rpc_url": endpoint_uri,
        "coordinator": coordinator,
        "private_key": "0x" + SIGNER_KEYS[0].hex(),
        "models_dir": str(REPO / "models"),
        "models": ["credit-risk"],
        "database": str(workdir / "oracle.db"),
        "confirmations": 0,
        **settings,
    }
    runtime = Runtime(load_settings(environ={}, **values))
    runtime.w3, provider = faulty_web3(endpoint_uri)  # before anything else asks for the cached client
    return runtime, provider
