"""The node's database: one SQLite file in WAL mode (the default) or a PostgreSQL server (`open_database`),
migrated to the newest schema on open, with serialised write transactions."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from oracle.errors import OracleError
from oracle.store.unit_of_work import Row, UnitOfWork

MIGRATIONS_PACKAGE = "oracle.store.migrations"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class StoreError(OracleError, RuntimeError):
    """The database cannot be opened, migrated or written as asked."""


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


class Engine(Protocol):
    """What the store classes use of their database, SQLite's `Database` or `PostgresDatabase`."""

    engine: str  # "sqlite" or "postgresql"

    @property
    def name(self) -> str:
        """How the store is named in messages (never with a password)."""

    def transaction(self) -> AbstractContextManager[UnitOfWork]: ...

    def query(self, sql: str, parameters: Sequence[Any] = (), /) -> list[Row]: ...

    def schema_version(self) -> int: ...

    def heartbeat(self, name: str, timeout: float) -> None: ...

    def for_worker(self, lock_wait_seconds: float = 30) -> Engine:
        """The store as a background worker beside the node should open it: its writes must never hold up the
        connection the node and the API's routes use; on SQLite a write waits up to `lock_wait_seconds` for
        another connection's lock."""

    def close(self) -> None: ...


def integrity_errors() -> tuple[type[Exception], ...]:
    """What either engine raises when a write breaks a constraint (a duplicate key)."""
    import psycopg

    return (sqlite3.IntegrityError, psycopg.IntegrityError)


def migration_scripts() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every `NNNN_name.sql` in oracle/store/migrations, in version order.

    Versions are unique and increasing; a number may be missing (numbers are allocated to branches that land
    at different times), and a database at version v is migrated with every script above v."""
    scripts = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            scripts.append((version, entry.name, entry.read_text()))
    scripts.sort()
    versions = [v for v, _, _ in scripts]
    if len(set(versions)) != len(versions) or min(versions, default=1) < 1:
        raise StoreError(f"migrations must have distinct numbers from 1 up, found {versions}")
    return scripts


def newest_version() -> int:
    return max((v for v, _, _ in migration_scripts()), default=0)


class Database:
    """The node's SQLite database. Reads may run concurrently; writes go through `transaction()`.

    Durability: WAL with synchronous=FULL, so a committed transaction survives a crash of the process
    or of the machine.
    """

    engine = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = 30) -> None:
        """`busy_timeout`: seconds a statement waits for another connection's write lock before it fails."""
        if is_postgres_url(path):
            raise StoreError("a postgresql:// URL is opened with oracle.store.engines.open_database, not as a file")
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    @property
    def name(self) -> str:
        """How the store is named in messages."""
        return self.path.name

    def _migrate(self) -> None:
        current = self.schema_version()
        scripts = migration_scripts()
        if current > newest_version():
            raise StoreError(f"database schema version {current} is newer than this node knows ({newest_version()})")
        for version, name, sql in (script for script in scripts if script[0] > current):
            with self.transaction() as connection:
                # the node and the API open the same file: another process may have applied it meanwhile
                if self.schema_version() >= version:
                    continue
                try:
                    for statement in statements(sql):
                        connection.execute(statement)
                except sqlite3.Error as error:
                    raise StoreError(f"migration {name} failed: {error}") from error
                connection.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        return int(self._connection.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception; one writer at a time."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def query(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = (), /) -> list[Row]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def heartbeat(self, name: str, timeout: float) -> None:
        """A real write on a connection of its own with a short lock timeout: a store locked by a stuck
        writer, or on a full or read-only disk, raises StoreError here instead of hanging the caller."""
        try:
            connection = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(HEARTBEAT_SQL.replace("%s", "?"), (name, time.time()))
                connection.execute("COMMIT")
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise StoreError(f"cannot write {self.name}: {error}") from error

    def for_worker(self, lock_wait_seconds: float = 30) -> Database:
        """A connection of its own on the same file: a worker's writes may wait on the node's lock (up to
        `lock_wait_seconds`) without holding the one the node's and the API's reads go through."""
        return Database(self.path, busy_timeout=lock_wait_seconds)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


HEARTBEAT_SQL = (
    "INSERT INTO api_heartbeat (name, beat_at) VALUES (%s, %s)"
    " ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at"
)


def statements(sql: str) -> list[str]:
    """Splits a migration script into statements (migrations hold no semicolons inside literals)."""
    return [s.strip() for s in sql.split(";") if s.strip()]
