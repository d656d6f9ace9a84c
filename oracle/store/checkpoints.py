"""How far the listener has read the chain: its checkpoint (the last block read, with its hash) and the hashes of the
recent blocks it read and of those holding requests, by which it notices a reorg and finds where the chains part.

The checkpoint moves in the same database transaction as the requests read up to it (`RequestStore.add_seen`,
`RequestStore.rewind`), so a crash never skips or half-records a block range: those writes take a unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oracle.store.database import Engine
from oracle.store.unit_of_work import UnitOfWork

LISTENER = "listener"  # the checkpoint's name in the checkpoints table
_REMEMBER_BLOCK = (
    "INSERT INTO block_hashes (block_number, block_hash) VALUES (?, ?)"
    " ON CONFLICT (block_number) DO UPDATE SET block_hash = excluded.block_hash"
)


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: bytes


class ListenerCheckpoint:
    """All SQL for the `checkpoints` and `block_hashes` tables."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def get(self) -> Checkpoint | None:
        rows = self._db.query("SELECT block_number, block_hash FROM checkpoints WHERE name = ?", (LISTENER,))
        return Checkpoint(rows[0][0], bytes(rows[0][1])) if rows else None

    def save(self, checkpoint: Checkpoint) -> None:
        with self._db.transaction() as work:
            self.advance(work, checkpoint)

    def block_hash(self, block_number: int) -> bytes | None:
        rows = self._db.query("SELECT block_hash FROM block_hashes WHERE block_number = ?", (block_number,))
        return bytes(rows[0][0]) if rows else None

    def recent_blocks(self) -> list[Checkpoint]:
        """The recorded block hashes, newest first."""
        rows = self._db.query("SELECT block_number, block_hash FROM block_hashes ORDER BY block_number DESC")
        return [Checkpoint(row[0], bytes(row[1])) for row in rows]

    def prune(self, keep_from: int) -> None:
        """Forgets the recorded hashes of blocks below `keep_from`."""
        with self._db.transaction() as work:
            work.execute("DELETE FROM block_hashes WHERE block_number < ?", (keep_from,))

    # ------------------------------------------------------------------ within another store's unit of work
    def advance(self, work: UnitOfWork, checkpoint: Checkpoint, record_hash: bool = True) -> None:
        work.execute(
            "INSERT INTO checkpoints (name, block_number, block_hash) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash",
            (LISTENER, checkpoint.block_number, checkpoint.block_hash),
        )
        if record_hash:
            self.remember(work, [checkpoint])

    def remember(self, work: UnitOfWork, blocks: Iterable[Checkpoint]) -> None:
        """Records the hashes of `blocks` (every block holding a request is remembered, so a reorg is traced back
        to the first changed one)."""
        work.executemany(_REMEMBER_BLOCK, sorted({(b.block_number, b.block_hash) for b in blocks}))

    def rewind(self, work: UnitOfWork, fork_block: int, agreed: Checkpoint | None) -> None:
        """Forgets the hashes from `fork_block` on; the checkpoint moves to `agreed` (a block both chains share)
        when given, else to the newest recorded block below the fork, else it is removed (the listener then reads
        from its start block)."""
        work.execute("DELETE FROM block_hashes WHERE block_number >= ?", (fork_block,))
        previous = work.execute(
            "SELECT block_number, block_hash FROM block_hashes ORDER BY block_number DESC LIMIT 1"
        ).fetchone()
        if agreed is not None:
            self.advance(work, agreed)
        elif previous is None:
            work.execute("DELETE FROM checkpoints WHERE name = ?", (LISTENER,))
        else:
            self.advance(work, Checkpoint(previous[0], bytes(previous[1])), record_hash=False)
