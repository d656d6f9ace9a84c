"""One active node process per key and store: a lease held for the process's life.

SQLite: an exclusive flock on `<database>.lock` beside the file; a second node process on the same file is
refused at once with the holder's pid (the API processes take no lease: they share the file with the node).
PostgreSQL: a session advisory lock keyed by the signer's address, held on a connection of its own. A second
node process for the same key waits as the standby and takes over within `poll_seconds` of the server
dropping the active one's session: at once when the process dies (its socket closes), and after the
session's TCP keepalives give up when its host does. The active process checks its lease connection every
`poll_seconds` and exits when it is lost, so the two never send at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import psycopg

from oracle.store.database import StoreError, is_postgres_url
from oracle.store.postgres import display_url

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# how long the server keeps the session of a host that vanished without closing its socket (about 11 s)
KEEPALIVE_SETTINGS = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}
# and how soon this side gives the connection up when the server stops answering (about 3 s): well before
# the server drops the session, so that a cut-off active node stops before the standby can take over
CLIENT_TIMEOUTS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 2,
    "keepalives_interval": 1,
    "keepalives_count": 2,
    "tcp_user_timeout": 3_000,
}
LEASE_LOST_EXIT_CODE = 75


class LeaseError(StoreError):
    """Another node process holds this store's lease."""


def lease_key(signer: str) -> int:
    """The advisory lock id of a signer's lease: a signed 64-bit number derived from its address."""
    digest = hashlib.sha256(b"oracle-node-lease:" + signer.lower().encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _exit_on_loss(reason: str) -> None:
    log.critical("lease lost (%s): exiting so that the standby alone sends with this key", reason)
    logging.shutdown()
    os._exit(LEASE_LOST_EXIT_CODE)


class FileLease:
    """An exclusive flock on `<database>.lock`, released by the kernel when the process ends."""

    def __init__(self, database: Path) -> None:
        self.path = Path(database).with_name(Path(database).name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> FileLease:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LeaseError(
                f"another node process (pid {holder}) already runs on {self.path.with_suffix('')}: "
                "one node process per store; stop it, or give this one its own ORACLE_DATABASE"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        log.info("holding the node lock %s", self.path)
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class PostgresLease:
    """A session advisory lock for one signer on a dedicated connection; `acquire` waits while another holds it."""

    def __init__(
        self,
        url: str,
        signer: str,
        *,
        poll_seconds: float = POLL_SECONDS,
        on_lost: Callable[[str], None] = _exit_on_loss,
    ) -> None:
        self._url = url
        self._signer = signer
        self._key = lease_key(signer)
        self._poll = poll_seconds
        self._on_lost = on_lost
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None

    def acquire(self, stop: threading.Event | None = None) -> PostgresLease:
        """Returns once this process holds the lease (or raises LeaseError when `stop` is set first)."""
        stop = stop or threading.Event()
        try:
            self._connection = connection = psycopg.connect(
                self._url, autocommit=True, connect_timeout=10, **CLIENT_TIMEOUTS
            )
            for name, value in KEEPALIVE_SETTINGS.items():
                connection.execute(f"SET {name} = {int(value)}")
        except psycopg.Error as error:
            raise StoreError(f"cannot connect to {display_url(self._url)} for the node lease: {error}") from error
        standby = False
        while not self._try_lock():
            if not standby:
                log.warning(
                    "standby: another node process holds the lease for signer %s on %s; taking over when it stops",
                    self._signer,
                    display_url(self._url),
                )
                standby = True
            if stop.wait(self._poll):
                self.release()
                raise LeaseError("stopped while standby")
        log.info("active: this process holds the lease for signer %s", self._signer)
        self._watchdog = threading.Thread(target=self._watch, name="lease-watchdog", daemon=True)
        self._watchdog.start()
        return self

    def _try_lock(self) -> bool:
        return bool(self._scalar("SELECT pg_try_advisory_lock(%s)", (self._key,)))

    def _watch(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                held = self._scalar(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                )
            except psycopg.Error as error:
                self._on_lost(f"lease connection failed: {type(error).__name__}")
                return
            if not held:
                self._on_lost("the advisory lock is no longer held")
                return

    def _scalar(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        if self._connection is None:
            raise LeaseError("the lease's connection is closed")
        row = self._connection.execute(sql, parameters).fetchone()
        return None if row is None else row[0]

    def release(self) -> None:
        self._stop.set()
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join(timeout=5)
        if self._connection is not None:
            self._connection.close()  # the session ends, and with it the lock
            self._connection = None


def hold_node_lease(
    database: str | Path, signer: str, stop: threading.Event | None = None
) -> FileLease | PostgresLease:
    """The lease the node process holds for its life: waits as the standby on PostgreSQL, fails on SQLite."""
    if is_postgres_url(database):
        return PostgresLease(str(database), signer).acquire(stop)
    return FileLease(Path(database)).acquire()
