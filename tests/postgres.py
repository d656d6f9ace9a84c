"""A real PostgreSQL server for the tests: each run gets its own fresh database, dropped after; each test a
fresh schema in it.

The server is ORACLE_TEST_DATABASE_URL if set (a postgresql:// URL of a database the tests may create
databases from), else the first of the local unix socket and 127.0.0.1:5432, as user postgres or root, that
answers. Without one, the PostgreSQL tests skip and say why.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

SOCKET_DIR = "/var/run/postgresql"
CANDIDATES = tuple(
    f"postgresql://{user}@{host}/postgres"
    for host in (f"%2F{SOCKET_DIR.strip('/').replace('/', '%2F')}", "127.0.0.1:5432")
    for user in ("postgres", "root")
)


def server_url() -> tuple[str | None, str]:
    """(URL of a database on a reachable server, or None, and why none was found)."""
    configured = os.environ.get("ORACLE_TEST_DATABASE_URL")
    candidates = (configured,) if configured else CANDIDATES
    problems = []
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url, ""
        except psycopg.Error as error:
            problems.append(f"{_shown(url)}: {str(error).strip().splitlines()[0] if str(error).strip() else error}")
    where = "ORACLE_TEST_DATABASE_URL" if configured else "the local socket and 127.0.0.1:5432"
    return None, f"no PostgreSQL server reachable at {where} ({'; '.join(problems)})"


def with_database(url: str, database: str, **query: str) -> str:
    parts = urlsplit(url)
    extra = "&".join(f"{k}={v}" for k, v in query.items())
    joined = "&".join(part for part in (parts.query, extra) if part)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, joined, ""))


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.username or ''}@{parts.hostname or parts.netloc.split('@')[-1]}"


class ScratchDatabase:
    """One fresh database for this test run; `schema_url()` hands each test its own empty schema in it."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.name = f"oracle_test_{secrets.token_hex(6)}"
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        self.url = with_database(server, self.name)

    def schema_url(self) -> str:
        schema = f"s_{secrets.token_hex(6)}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        return with_database(self.server, self.name, options=f"-csearch_path%3D{schema}")

    def drop(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database():
    url, reason = server_url()
    if url is None:
        pytest.skip(reason)
    try:
        database = ScratchDatabase(url)
    except psycopg.Error as error:
        pytest.skip(f"cannot create a test database on the PostgreSQL server: {str(error).strip()}")
    yield database
    database.drop()


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """A postgresql:// URL of an empty schema of its own."""
    return postgres_database.schema_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path):
    """Where a store test opens its database: a fresh SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return tmp_path / "oracle.db"
    return request.getfixturevalue("postgres_url")
