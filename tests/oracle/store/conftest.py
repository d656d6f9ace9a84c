"""Store fixtures: every store test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""

import pytest

from oracle.store.engines import open_database
from oracle.store.transactions import TransactionJournal


@pytest.fixture
def db(store_target):
    database = open_database(store_target)
    yield database
    database.close()


@pytest.fixture
def db_path(store_target):
    """Where `db` opens its database, for tests that open it again."""
    return store_target


@pytest.fixture
def journal(db):
    return TransactionJournal(db)
