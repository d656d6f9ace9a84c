"""ABIs of the contracts the node talks to, exported from the compiler's output (tests keep them in sync)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

AbiEntry = dict[str, Any]


@cache
def load_abi(contract: str) -> tuple[AbiEntry, ...]:
    return tuple(json.loads(resources.files(__name__).joinpath(f"{contract}.json").read_text()))


def coordinator_abi() -> list[AbiEntry]:
    return list(load_abi("OracleCoordinator"))
