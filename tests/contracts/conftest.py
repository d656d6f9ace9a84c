"""Contract tests: every test on a fresh snapshot of the chain (the shared fixtures: tests/chain_fixtures.py)."""

import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a snapshot of the chain, reverted after it."""
