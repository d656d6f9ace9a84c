"""Store fixtures: every store test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""

import pytest

from oracle.store.engines import open_database
from tests.postgres import *  # noqa: F403  (pytest fixtures)


@pytest.fixture
def db(store_target):
    database = open_database(store_target)
    yield database
    database.close()
