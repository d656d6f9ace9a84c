"""deployments/<chain id>.json: one file per chain with every address a node or a frontend needs, written by
the deploy scripts (each merges its part) and by `make up`. Plain JSON, no brownie, so the stack runner and
tests read it too."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

# Fields that hold one entry per contract, model or attester: merged key by key, so that a script never drops
# what another wrote. Every other field is replaced as a whole.
MERGED = ("contracts", "models", "attesters", "attesterKeys")


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def merge(path: Path, fields: dict[str, Any]) -> Path:
    """Merges `fields` into the file at `path` (created if missing), written atomically."""
    data = read(path)
    for key, value in fields.items():
        if key in MERGED and isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
        else:
            data[key] = value
    write(path, data)
    return path


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(data, indent=2) + "\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
