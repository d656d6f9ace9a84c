"""ABIs of the contracts the node talks to, exported from the compiler's output (tests keep them in sync)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def load_abi(contract: str) -> tuple[dict, ...]:
    return tuple(json.loads(resources.files(__name__).joinpath(f"{contract}.json").read_text()))


def coordinator_abi() -> list[dict]:
    return list(load_abi("OracleCoordinator"))
