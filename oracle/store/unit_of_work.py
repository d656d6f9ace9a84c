"""What the store's SQL runs on, whichever the engine: a unit of work is one database transaction, SQLite's or
PostgreSQL's. Its statements commit together or not at all.

A store class that writes within another's transaction takes a unit of work (the requests a transaction carries
are linked to it in the journal's transaction: `TransactionJournal.record`); code outside the store only passes
one on, never looks inside. `Database.transaction()` and `PostgresDatabase.transaction()` hand them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, overload


class Row(Protocol):
    """A result row, read by position or by column name (sqlite3.Row, or postgres.Row)."""

    @overload
    def __getitem__(self, key: int | str, /) -> Any: ...

    @overload
    def __getitem__(self, key: slice, /) -> tuple[Any, ...]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """A statement's result."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class UnitOfWork(Protocol):
    """One database transaction: the statements executed through it commit together or not at all."""

    @property
    def total_changes(self) -> int:
        """Rows inserted, updated or deleted so far (a difference of two readings counts a statement's rows)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Cursor: ...
