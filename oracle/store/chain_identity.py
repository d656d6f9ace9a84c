"""Which chain, genesis and coordinator a store belongs to (one row, written at the node's first start)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from oracle.store.database import Engine


@dataclass(frozen=True)
class ChainIdentity:
    chain_id: int
    genesis_hash: bytes
    coordinator: str  # checksummed

    def differences(self, other: ChainIdentity) -> list[str]:
        """What `other` (the chain the node is pointed at) has that differs from this (the store's)."""
        found = []
        if self.chain_id != other.chain_id:
            found.append(f"chain id {other.chain_id}, the store's is {self.chain_id}")
        if self.genesis_hash != other.genesis_hash:
            found.append(
                f"genesis block 0x{other.genesis_hash.hex()}, the store's is 0x{self.genesis_hash.hex()}"
                " (the chain was reset or replaced)"
            )
        if self.coordinator != other.coordinator:
            found.append(f"coordinator {other.coordinator}, the store's is {self.coordinator}")
        return found


class ChainIdentityStore:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def get(self) -> ChainIdentity | None:
        rows = self._db.query("SELECT chain_id, genesis_hash, coordinator FROM chain_identity WHERE id = 1")
        if not rows:
            return None
        return ChainIdentity(int(rows[0][0]), bytes.fromhex(rows[0][1].removeprefix("0x")), rows[0][2])

    def record_first(self, identity: ChainIdentity) -> ChainIdentity:
        """Records `identity` if the store has none yet; returns the one the store holds afterwards."""
        with self._db.transaction() as connection:
            if connection.execute("SELECT 1 FROM chain_identity WHERE id = 1").fetchone() is None:
                connection.execute(
                    "INSERT INTO chain_identity (id, chain_id, genesis_hash, coordinator, recorded_at)"
                    " VALUES (1, ?, ?, ?, ?)",
                    (identity.chain_id, "0x" + identity.genesis_hash.hex(), identity.coordinator, int(time.time())),
                )
        recorded = self.get()
        assert recorded is not None
        return recorded
