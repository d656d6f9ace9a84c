"""Opens the store on the engine a target names: the one module that knows both engines."""

from __future__ import annotations

from pathlib import Path

from oracle.store.database import Database, Engine, is_postgres_url


def open_database(target: str | Path) -> Engine:
    """A `PostgresDatabase` for a postgresql:// URL, else a `Database` on the SQLite file at `target`."""
    if is_postgres_url(target):
        from oracle.store.postgres import PostgresDatabase  # psycopg is imported only by nodes that use it

        return PostgresDatabase(str(target))
    return Database(target)
