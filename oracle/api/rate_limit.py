"""Rate limits per caller, `per_minute` requests a minute, in bursts of up to `per_minute` (token buckets).

Each caller's bucket is a row in the store, so a limit holds across every process on the database
(`oracle api --workers N` on SQLite, replicas on PostgreSQL). A process takes tokens in leases of up to 1% of
the limit (one store write per lease, not per request: a hot key costs the store almost nothing), spends them
for at most LEASE_SECONDS and hands back the unspent ones with its next lease; a caller the store refuses is
refused locally until its next token is due. While the store cannot be written (locked for longer than
STORE_WAIT_SECONDS, or down), each process keeps the buckets in its own memory instead: requests go on, a
limit then holds per process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from oracle.store.database import Engine

log = logging.getLogger(__name__)

MAX_LEASES = 10_000
STORE_WAIT_SECONDS = 0.5  # on SQLite, how long a lease waits for the store's write lock
LEASE_FRACTION = 100  # a lease is at most per_minute / LEASE_FRACTION tokens
LEASE_SECONDS = 1.0  # unspent leased tokens lapse after this: a caller's excess over its bucket stays below
# what the bucket refills in LEASE_SECONDS


def rate_limiter_for(database: Engine) -> RateLimiter:
    """The limiter of the API processes that share `database`, over a connection of its own (on SQLite), so that
    waiting for the write lock neither holds the connection the routes read through nor lasts long."""
    return RateLimiter(database.for_worker(lock_wait_seconds=STORE_WAIT_SECONDS))


@dataclass
class _Bucket:
    tokens: float
    updated: float


def _refill(bucket: _Bucket, now: float, per_minute: int) -> None:
    bucket.tokens = min(float(per_minute), bucket.tokens + max(0.0, now - bucket.updated) * per_minute / 60.0)
    bucket.updated = max(bucket.updated, now)


def _wait(tokens: float, per_minute: int) -> float:
    """Seconds until a bucket holding `tokens` (< 1) has one."""
    return (1 - tokens) / (per_minute / 60.0)


@dataclass
class _Lease:
    tokens: int  # leased, not yet spent
    lapses: float  # clock time after which they are not spent
    refused_until: float = 0.0  # the store's bucket had no token for this caller until then


class RateLimiter:
    """Token buckets in the store's `rate_limit_buckets` table, read and written under the row's lock."""

    def __init__(self, database: Engine, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock  # wall time: every process on the database must share it
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()
        self._gates = [threading.Lock() for _ in range(64)]
        self._pruned = clock()
        self._local: dict[str, _Bucket] = {}  # while the store cannot be written
        self._store_failed_at: float | None = None

    def acquire(self, caller: str, per_minute: int) -> float | None:
        """Takes one token; returns None if allowed, else the seconds until a token is available."""
        now = self._clock()
        decided, answer = self._from_lease(caller, now)
        if decided:
            return answer
        with self._gates[hash(caller) % len(self._gates)]:  # one lease at a time per caller and process
            decided, answer = self._from_lease(caller, now)  # a thread that waited here finds the new lease
            if decided:
                return answer
            with self._lock:
                lease = self._leases.pop(caller, None)
            unspent = lease.tokens if lease is not None else 0
            try:
                granted, wait = self._take(caller, per_minute, now, unspent)
            except Exception as error:  # sqlite3's, psycopg's and the store's errors alike
                return self._acquire_locally(caller, per_minute, now, error)
            with self._lock:
                self._local.pop(caller, None)
                if len(self._leases) >= MAX_LEASES:
                    self._leases.clear()  # unspent tokens lapse early: fewer requests served, never more
                self._leases[caller] = (
                    _Lease(granted - 1, now + LEASE_SECONDS) if granted else _Lease(0, now, refused_until=now + wait)
                )
        if now - self._pruned >= 60:
            self._prune(now)
        return None if granted else wait

    def _from_lease(self, caller: str, now: float) -> tuple[bool, float | None]:
        """(True, None): a leased token spent; (True, seconds): refused until the caller's next token is due;
        (False, None): the store decides."""
        with self._lock:
            lease = self._leases.get(caller)
            if lease is not None and now < lease.lapses and lease.tokens > 0:
                lease.tokens -= 1
                return True, None
            if lease is not None and now < lease.refused_until:
                return True, lease.refused_until - now
        return False, None

    def _acquire_locally(self, caller: str, per_minute: int, now: float, error: Exception) -> float | None:
        with self._lock:
            if self._store_failed_at is None or now - self._store_failed_at >= 60:
                log.warning("rate limits kept per process: the store cannot be written (%s)", error)
                self._store_failed_at = now
            bucket = self._local.get(caller)
            if bucket is None:
                if len(self._local) >= MAX_LEASES:
                    self._local.clear()
                bucket = self._local[caller] = _Bucket(float(per_minute), now)
            _refill(bucket, now, per_minute)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            return _wait(bucket.tokens, per_minute)

    def _take(self, caller: str, per_minute: int, now: float, unspent: int) -> tuple[int, float]:
        """(tokens taken from the caller's bucket, up to a lease; seconds until its next token if none), after
        handing back the `unspent` tokens of this process's lapsed lease."""
        want = max(1, per_minute // LEASE_FRACTION)
        with self._db.transaction() as connection:
            # the upsert locks the row (PostgreSQL) under the store's write lock (SQLite) and reads it
            [(tokens, updated)] = connection.execute(
                "INSERT INTO rate_limit_buckets (caller, tokens, updated) VALUES (?, ?, ?)"
                " ON CONFLICT (caller) DO UPDATE SET caller = excluded.caller RETURNING tokens, updated",
                (caller, float(per_minute), now),
            ).fetchall()
            bucket = _Bucket(tokens, updated)
            bucket.tokens += unspent
            _refill(bucket, now, per_minute)
            granted = min(want, int(bucket.tokens))
            bucket.tokens -= granted
            connection.execute(
                "UPDATE rate_limit_buckets SET tokens = ?, updated = ? WHERE caller = ?",
                (bucket.tokens, bucket.updated, caller),
            )
        return granted, 0.0 if granted else _wait(bucket.tokens, per_minute)

    def _prune(self, now: float) -> None:
        """Forgets buckets idle for a minute (they are full again), once a minute per process."""
        self._pruned = now
        try:
            with self._db.transaction() as connection:
                connection.execute("DELETE FROM rate_limit_buckets WHERE updated < ?", (now - 60,))
        except Exception as error:  # the next minute's prune takes them
            log.info("rate limit buckets not pruned: %s", error)
