"""The ABIs the node reads are the compiler's (regenerate with `python tools/export_abis.py` after compiling)."""

import json
from pathlib import Path

import pytest

from oracle.chain.abi import load_abi

BUILD = Path(__file__).resolve().parents[2] / "build" / "contracts"


@pytest.mark.parametrize("name", ["OracleCoordinator", "AttestationRegistry"])
def test_node_abi_matches_the_compiled_contract(name, request):
    request.getfixturevalue(name)  # brownie compiles the project before the first contract fixture
    assert list(load_abi(name)) == json.loads((BUILD / f"{name}.json").read_text())["abi"]
