"""Token buckets per caller: `per_minute` requests a minute, in bursts of up to `per_minute`.

Held in this process's memory: with several API processes behind one address, each allows the full
rate (run one, or divide the limits).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_BUCKETS = 10_000


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
