"""Make skops files byte-reproducible.

skops records `id(obj)` (a memory address) as each node's `__id__` and as array member names,
and stamps zip entries with the current time, so dumping the same model twice gives different
bytes. The artifact hash is registered on chain, so we rewrite the archive canonically: `__id__`s
renumbered 1, 2, ... and members renamed 0.npy, 1.npy, ... in order of first appearance in
schema.json (a one-to-one renaming, so shared references stay shared), fixed timestamps and
permissions, no compression.
"""

from __future__ import annotations

import io
import json
from pathlib import PurePosixPath
from typing import Any
from zipfile import ZIP_STORED, ZipFile, ZipInfo

from oracle.ml.errors import ArtifactError

SCHEMA_MEMBER = "schema.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def canonicalize(data: bytes) -> bytes:
    """Rewrite skops bytes into their canonical form; ArtifactError if the layout is unexpected."""
    with ZipFile(io.BytesIO(data)) as source:
        members = set(source.namelist()) - {SCHEMA_MEMBER}
        schema = json.loads(source.read(SCHEMA_MEMBER))
        renames: dict[str, str] = {}
        _renumber(schema, members, renames, {})
        if set(renames) != members:
            raise ArtifactError(f"skops members not referenced by schema.json: {sorted(members - set(renames))}")
        out = io.BytesIO()
        with ZipFile(out, "w", compression=ZIP_STORED) as target:
            _write(target, SCHEMA_MEMBER, json.dumps(schema, indent=2).encode())
            for old, new in renames.items():
                _write(target, new, source.read(old))
    return out.getvalue()


def _renumber(node: Any, members: set[str], files: dict[str, str], ids: dict[int, int]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "file" and isinstance(value, str) and value in members:
                node[key] = files.setdefault(value, f"{len(files)}{PurePosixPath(value).suffix}")
            elif key == "__id__" and isinstance(value, int):
                node[key] = ids.setdefault(value, len(ids) + 1)  # skops ignores a falsy __id__
            else:
                _renumber(value, members, files, ids)
    elif isinstance(node, list):
        for value in node:
            _renumber(value, members, files, ids)


def _write(target: ZipFile, name: str, payload: bytes) -> None:
    info = ZipInfo(name, date_time=_EPOCH)
    info.compress_type = ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    target.writestr(info, payload)
