"""One SQLite file in WAL mode, migrated to the newest schema on open, with serialised write transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from oracle.errors import OracleError

MIGRATIONS_PACKAGE = "oracle.store.migrations"


class StoreError(OracleError, RuntimeError):
    """The database cannot be opened, migrated or written as asked."""


def migration_scripts() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every `NNNN_name.sql` in oracle/store/migrations, in version order."""
    scripts = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            scripts.append((version, entry.name, entry.read_text()))
    scripts.sort()
    versions = [v for v, _, _ in scripts]
    # numbers are allocated to branches ahead of their merge, so a branch may hold 0008 before 0006: unique and
    # increasing is the rule; each script still runs once, in order
    if len(set(versions)) != len(versions) or versions[:1] != [1]:
        raise StoreError(f"migrations must be numbered from 1 with no number twice, found {versions}")
    return scripts


class Database:
    """The node's SQLite database. Reads may run concurrently; writes go through `transaction()`.

    Durability: WAL with synchronous=FULL, so a committed transaction survives a crash of the process
    or of the machine.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        current = self.schema_version()
        scripts = migration_scripts()
        newest = scripts[-1][0]
        if current > newest:
            raise StoreError(f"database schema version {current} is newer than this node knows ({newest})")
        for version, name, sql in (script for script in scripts if script[0] > current):
            with self.transaction() as connection:
                # the node and the API open the same file: another process may have applied it meanwhile
                if self.schema_version() >= version:
                    continue
                try:
                    for statement in _statements(sql):
                        connection.execute(statement)
                except sqlite3.Error as error:
                    raise StoreError(f"migration {name} failed: {error}") from error
                connection.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        return int(self._connection.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception; one writer at a time."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def query(self, sql: str, parameters: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _statements(sql: str) -> list[str]:
    """Splits a migration script into statements (migrations hold no semicolons inside literals)."""
    return [s.strip() for s in sql.split(";") if s.strip()]
