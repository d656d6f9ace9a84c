"""Retention of finished requests, and the age of the oldest answer still waiting for its receipt.

A finished request (confirmed, failed, expired) takes about 2 KB with its observations; at 20 requests a
second that is 3.4 GB a day. `Retention` deletes those settled more than `days` ago, a batch at a time
from the node's loop, each batch one short transaction: the node and the API keep their turns at the
store. Journalled transactions stay (one per batch of answers: small, and the fees paid are summed
from them).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from oracle.store.database import Engine
from oracle.store.requests import State

log = logging.getLogger(__name__)

FINISHED = (State.CONFIRMED.value, State.FAILED.value, State.EXPIRED.value)
DAY_SECONDS = 86_400


class Housekeeping:
    """The SQL: which finished requests are old, and the deletion of a batch of them with what hangs on them."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def oldest_sent_at(self) -> float | None:
        """When the longest-waiting answer in state `sent` was sent, or None when none waits."""
        row = self._db.query("SELECT MIN(sent_at) FROM requests WHERE state = ?", (State.SENT.value,))[0]
        return None if row[0] is None else float(row[0])

    def prune_finished(self, settled_before: float, limit: int) -> int:
        """Deletes up to `limit` requests finished before `settled_before`, with their observations and webhook
        deliveries, in one transaction; returns how many requests went."""
        with self._db.transaction() as connection:
            ids = [
                row[0]
                for row in connection.execute(
                    "SELECT request_id FROM requests WHERE state IN (?, ?, ?) AND settled_at < ? LIMIT ?",
                    (*FINISHED, settled_before, limit),
                ).fetchall()
            ]
            if not ids:
                return 0
            marks = ", ".join("?" for _ in ids)
            for table in ("observations", "webhook_deliveries", "requests"):
                connection.execute(f"DELETE FROM {table} WHERE request_id IN ({marks})", ids)
        return len(ids)


class Retention:
    """Called by the node's loop on every turn; prunes one batch when due: again at the next turn while
    batches come back full, else after `every_seconds`. `days` 0 keeps everything."""

    def __init__(
        self,
        housekeeping: Housekeeping,
        days: int,
        batch: int = 500,
        every_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._housekeeping = housekeeping
        self._days = days
        self._batch = batch
        self._every = every_seconds
        self._clock = clock
        self._next_at = float("-inf")
        self.pruned = 0

    def __call__(self) -> int:
        now = self._clock()
        if self._days <= 0 or now < self._next_at:
            return 0
        deleted = self._housekeeping.prune_finished(now - self._days * DAY_SECONDS, self._batch)
        self._next_at = now if deleted == self._batch else now + self._every
        if deleted:
            self.pruned += deleted
            log.info("retention: deleted %d requests finished more than %d days ago", deleted, self._days)
        return deleted
