"""Retention: finished requests older than the setting go, in batches, with their observations and webhook
deliveries; open and recent ones stay."""

import time

import pytest

from oracle.network.observation import Observation
from oracle.store.checkpoints import Checkpoint
from oracle.store.database import Database
from oracle.store.housekeeping import DAY_SECONDS, Housekeeping, Retention
from oracle.store.observations import ObservationStore
from oracle.store.requests import RequestStore
from oracle.store.webhooks import Direction, WebhookStore
from oracle.types import Status
from tests.oracle.api.store_helpers import confirm, request_id, seen

NOW = time.time()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "oracle.db")
    yield database
    database.close()


def settled_days_ago(db: Database, n: int, days: float) -> None:
    with db.transaction() as connection:
        connection.execute(
            "UPDATE requests SET settled_at = ? WHERE request_id = ?", (NOW - days * DAY_SECONDS, request_id(n))
        )


def remaining(db: Database, table: str) -> int:
    return db.query(f"SELECT COUNT(*) FROM {table}")[0][0]


def test_old_finished_requests_are_pruned_in_batches(db):
    store, observations, webhooks = RequestStore(db), ObservationStore(db), WebhookStore(db)
    webhook = webhooks.create("https://alerts.example.org/x", b"\x05" * 32, 1, Direction.ABOVE)
    for n in (1, 2, 3, 4):
        confirm(store, n, 5_000)
        observations.add(
            [Observation.of(request_id(n), seen(n).request, Status.OK, 5_000, "0x" + "11" * 20, b"\x01" * 65)]
        )
        webhooks.enqueue(webhook.webhook_id, [(request_id(n), {"n": n})], NOW, NOW)
        settled_days_ago(db, n, 31 if n < 4 else 29)
    store.add_seen([seen(5)], Checkpoint(200, b"\x09" * 32))  # open: never pruned, however old

    clock = Clock()
    retention = Retention(Housekeeping(db), days=30, batch=2, every_seconds=60, clock=clock)
    assert retention() == 2  # a full batch: the next turn goes on at once
    assert retention() == 1
    assert retention() == 0  # not due again for a minute
    assert {bytes(r[0]) for r in db.query("SELECT request_id FROM requests")} == {request_id(4), request_id(5)}
    assert (remaining(db, "observations"), remaining(db, "webhook_deliveries")) == (1, 1)
    clock.now += 2 * DAY_SECONDS  # request 4 is now 31 days old
    assert retention() == 1 and retention.pruned == 4
    assert [bytes(r[0]) for r in db.query("SELECT request_id FROM requests")] == [request_id(5)]


def test_retention_zero_keeps_everything(db):
    confirm(RequestStore(db), 1, 5_000)
    settled_days_ago(db, 1, 3_650)
    assert Retention(Housekeeping(db), days=0)() == 0
    assert remaining(db, "requests") == 1


def test_oldest_sent_at(db):
    store = RequestStore(db)
    housekeeping = Housekeeping(db)
    assert housekeeping.oldest_sent_at() is None
    store.add_seen([seen(1)], Checkpoint(101, b"\x01" * 32))
    store.mark_predicted([(request_id(1), Status.OK, 1)], inference_ms=1.0)
    store.mark_signed([(request_id(1), b"\x07" * 64)])
    before = time.time()
    store.mark_sent([request_id(1)], 1)
    assert before <= housekeeping.oldest_sent_at() <= time.time()
