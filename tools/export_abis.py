"""Writes the ABIs the node reads (oracle/chain/abi/*.json) from brownie's build artifacts: run after `brownie compile`
whenever OracleCoordinator's or AttestationRegistry's interface changes."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

for name in ("AttestationRegistry", "OracleCoordinator"):
    abi = json.loads((ROOT / "build" / "contracts" / f"{name}.json").read_text())["abi"]
    (ROOT / "oracle" / "chain" / "abi" / f"{name}.json").write_text(json.dumps(abi, indent=1) + "\n")
