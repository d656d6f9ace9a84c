"""Rate limits per caller, `per_minute` requests a minute.

`RateLimiter`: token buckets in this process's memory, in bursts of up to `per_minute`; right for the one API
process of a SQLite store. `StoreRateLimiter`: a counter per caller and minute in the store, incremented
atomically, so that API replicas on one PostgreSQL database share every limit. `rate_limiter_for` picks.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_BUCKETS = 10_000
WINDOW_SECONDS = 60


def rate_limiter_for(database) -> RateLimiter | StoreRateLimiter:
    """Shared counters when replicas may share the store (PostgreSQL), else in-memory buckets."""
    return StoreRateLimiter(database) if database.engine == "postgresql" else RateLimiter()


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, caller: str, per_minute: int) -> float | None:
        """Takes one token; returns None if allowed, else the seconds until a token is available."""
        now = self._clock()
        rate = per_minute / 60.0
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= MAX_BUCKETS:
                    self._forget_idle(now)
                bucket = self._buckets[caller] = _Bucket(float(per_minute), now)
            else:
                bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            return (1 - bucket.tokens) / rate

    def _forget_idle(self, now: float) -> None:
        """Drops buckets idle for a minute or more (they would be full again); the oldest half if none is."""
        idle = [caller for caller, bucket in self._buckets.items() if now - bucket.updated >= 60]
        if not idle:
            idle = sorted(self._buckets, key=lambda caller: self._buckets[caller].updated)[: len(self._buckets) // 2]
        for caller in idle:
            del self._buckets[caller]


class StoreRateLimiter:
    """Fixed one-minute windows counted in the store's `rate_limit_windows` table, one upsert per request.

    A caller gets `per_minute` requests in each calendar minute of the wall clock, whichever replica serves
    them (at a window's edge up to twice that in a few seconds, the price of one row per caller and minute).
    """

    def __init__(self, database, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock
        self._pruned_window: int | None = None

    def acquire(self, caller: str, per_minute: int) -> float | None:
        """Counts one request; returns None if allowed, else the seconds until the caller's next window."""
        now = self._clock()
        window = math.floor(now / WINDOW_SECONDS) * WINDOW_SECONDS
        with self._db.transaction() as connection:
            hits = connection.execute(
                "INSERT INTO rate_limit_windows (caller, window_start, hits) VALUES (?, ?, 1)"
                " ON CONFLICT (caller, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1"
                " RETURNING hits",
                (caller, window),
            ).fetchone()[0]
        if self._pruned_window != window:
            self._prune(window)
        if hits <= per_minute:
            return None
        return max(window + WINDOW_SECONDS - now, 0.001)

    def _prune(self, window: int) -> None:
        """Forgets earlier windows, once per window and replica."""
        self._pruned_window = window
        with self._db.transaction() as connection:
            connection.execute("DELETE FROM rate_limit_windows WHERE window_start < ?", (window,))
