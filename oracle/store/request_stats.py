"""Aggregates over the requests table for metrics: one read query each, however many requests there are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oracle.store.database import Engine
from oracle.store.requests import State
from oracle.types import Status

# seconds from the node reading a request to the request reaching `confirmed`
END_TO_END = "settled_at - seen_at"
END_TO_END_WHERE = f"state = '{State.CONFIRMED.value}' AND settled_at IS NOT NULL"
# the request's share of its inference batch, in seconds
INFERENCE = "inference_ms / 1000.0"
INFERENCE_WHERE = "inference_ms IS NOT NULL"


@dataclass(frozen=True)
class Histogram:
    """Cumulative counts: counts[i] observations <= bounds[i]; `count` and `total` over all observations."""

    bounds: tuple[float, ...]
    counts: tuple[int, ...]
    count: int
    total: float


class RequestStats:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def answers_by_status(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for row in self._db.query("SELECT status, COUNT(*) FROM requests WHERE status IS NOT NULL GROUP BY status"):
            counts[Status(row[0])] = row[1]
        return counts

    def end_to_end(self, bounds: Sequence[float]) -> dict[bytes, Histogram]:
        return self._histograms(END_TO_END, END_TO_END_WHERE, bounds)

    def inference(self, bounds: Sequence[float]) -> dict[bytes, Histogram]:
        return self._histograms(INFERENCE, INFERENCE_WHERE, bounds)

    def _histograms(self, expression: str, where: str, bounds: Sequence[float]) -> dict[bytes, Histogram]:
        """Per model id, bucketed by the database in one pass over the matching rows."""
        buckets = ", ".join(f"SUM(CASE WHEN x <= {float(b)!r} THEN 1 ELSE 0 END)" for b in bounds)
        rows = self._db.query(
            f"SELECT model_id, COUNT(*), COALESCE(SUM(x), 0), {buckets}"
            f" FROM (SELECT model_id, {expression} AS x FROM requests WHERE {where}) AS answered GROUP BY model_id"
        )
        return {
            bytes(row[0]): Histogram(tuple(bounds), tuple(int(c) for c in row[3:]), int(row[1]), float(row[2]))
            for row in rows
        }
