"""Rate limits (oracle.api.rate_limit) hold across processes on one store, SQLite or PostgreSQL: each limiter
below has its own connection, as each `oracle api` worker or replica has; the store sees one write per lease."""

import sqlite3
import threading

import pytest
from fastapi.testclient import TestClient

from oracle.api import create_app
from oracle.api.rate_limit import LEASE_SECONDS, RateLimiter, rate_limiter_for
from oracle.store.api_keys import Scope
from oracle.store.database import Database
from oracle.store.engines import open_database
from tests.oracle.api.conftest import key_header
from tests.oracle.api.test_predictions import body


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stores(store_target):
    databases = [open_database(store_target), open_database(store_target)]
    yield databases
    for database in databases:
        database.close()


def _bucket(database, caller: str) -> float:
    [(tokens,)] = database.query("SELECT tokens FROM rate_limit_buckets WHERE caller = ?", (caller,))
    return tokens


def test_a_limit_holds_across_two_processes_on_one_store(stores):
    clock = Clock()
    first, second = (RateLimiter(database, clock) for database in stores)
    answers = [(first, second)[n % 2].acquire("key:1", 4) for n in range(6)]
    assert answers[:4] == [None] * 4
    assert answers[4] == pytest.approx(15.0) and answers[5] == pytest.approx(15.0)  # 4 a minute: one per 15 s
    clock.now += 15.0
    assert [second.acquire("key:1", 4), first.acquire("key:1", 4)] == [None, pytest.approx(15.0)]


def test_callers_have_buckets_of_their_own(stores):
    limiter = RateLimiter(stores[0], Clock())
    assert [limiter.acquire("key:1", 1), limiter.acquire("key:2", 1), limiter.acquire("key:1", 1)] == [
        None,
        None,
        pytest.approx(60.0),
    ]


def test_a_process_takes_tokens_in_leases_and_hands_back_what_it_did_not_spend(stores):
    clock = Clock()
    first, second = (RateLimiter(database, clock) for database in stores)
    assert first.acquire("key:1", 1_000) is None
    assert _bucket(stores[1], "key:1") == 990.0  # one lease of 1% taken from the shared bucket
    for _ in range(4):
        assert first.acquire("key:1", 1_000) is None
    assert _bucket(stores[1], "key:1") == 990.0  # spent from the lease: no store write
    assert second.acquire("key:1", 1_000) is None
    assert _bucket(stores[0], "key:1") == 980.0
    clock.now += LEASE_SECONDS
    assert first.acquire("key:1", 1_000) is None  # its lease lapsed: a new one
    # 980 + 5 unspent handed back + 16.7 refilled in the second, capped at the limit, less the new lease
    assert _bucket(stores[0], "key:1") == 1_000 - 10


def test_threads_of_one_process_share_a_lease(stores):
    clock = Clock()
    limiter = RateLimiter(stores[0], clock)
    start = threading.Barrier(8)

    def spend() -> None:
        start.wait()
        for _ in range(5):
            assert limiter.acquire("key:1", 10_000) is None

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _bucket(stores[0], "key:1") == 10_000 - 100  # 40 requests, one lease of 100 taken


def test_concurrent_processes_never_serve_more_than_the_bucket_holds(stores):
    clock = Clock()
    limiters = [RateLimiter(database, clock) for database in stores]
    allowed = []

    def hammer(limiter: RateLimiter) -> None:
        allowed.append(sum(limiter.acquire("key:1", 200) is None for _ in range(150)))

    threads = [threading.Thread(target=hammer, args=(limiter,)) for limiter in limiters for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # leases of 2: at most one unspent lease per process when the bucket runs dry
    assert 200 - 2 * len(limiters) <= sum(allowed) <= 200


def test_a_keys_limit_holds_across_two_app_instances_on_one_sqlite_store(runtime, tmp_path, held_out_rows):
    path = tmp_path / "shared.db"
    databases = [Database(path), Database(path)]
    apps = [runtime.api_services(database) for database in databases]
    clients = [TestClient(create_app(s), raise_server_exceptions=False) for s in apps]
    headers = key_header(apps[0].api_keys.create("shared", [Scope.PREDICT], rate_limit=3)[1])
    features = held_out_rows[0][0]
    statuses = [
        clients[n % 2].post("/v1/predictions", json=body(features), headers=headers).status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    for database in databases:
        database.close()


def test_while_the_store_is_locked_each_process_keeps_the_limit_itself(tmp_path):
    path = tmp_path / "oracle.db"
    Database(path).close()
    limiter = rate_limiter_for(Database(path))
    blocker = sqlite3.connect(str(path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        answers = [limiter.acquire("key:1", 2) for _ in range(3)]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert answers[:2] == [None, None] and answers[2] == pytest.approx(30.0, abs=2)
