"""The request store on both engines: each move persisted, moves only from the right state, reorg rewind,
survives reopening."""

import sqlite3

import pytest

from oracle.store.checkpoints import Checkpoint
from oracle.store.database import Database, StoreError, newest_version
from oracle.store.engines import open_database
from oracle.store.requests import RequestStore, SeenRequest, State
from oracle.types import Request, Status, input_hash

CONSUMER = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def seen(n: int, block: int, features=(1, 2, 3)) -> SeenRequest:
    request = Request(b"\x01" * 32, b"\x02" * 32, input_hash(features), CONSUMER, 10**15, 2_000_000_000, 100_000)
    return SeenRequest(
        n.to_bytes(32, "big"), request, tuple(features), block, block.to_bytes(32, "big"), n, b"\x09" * 32
    )


@pytest.fixture
def store(db):
    return RequestStore(db)


def test_schema_is_migrated_to_the_newest_version(db):
    assert db.schema_version() == newest_version()


def test_sqlite_schema_is_migrated_to_the_newest_version_in_wal_mode(tmp_path):
    db = Database(tmp_path / "oracle.db")
    assert db.schema_version() == newest_version()
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    db.close()
    with sqlite3.connect(tmp_path / "oracle.db") as raw:
        raw.execute(f"PRAGMA user_version = {newest_version() + 1}")
    with pytest.raises(StoreError, match="newer than this node knows"):
        Database(tmp_path / "oracle.db")


def test_a_request_moves_through_every_state_and_survives_reopening(store_target):
    store = RequestStore(open_database(store_target))
    assert store.add_seen([seen(1, 10)], Checkpoint(10, b"\xaa" * 32)) == 1
    assert store.add_seen([seen(1, 10)]) == 0  # read again after a restart: left as it is
    rid = (1).to_bytes(32, "big")
    store.mark_predicted([(rid, Status.OK, 4_321)], inference_ms=0.5)
    store.mark_signed([(rid, b"\x05" * 64)])
    with store.db.transaction() as work:
        store.mark_sent([rid], tx_id=7, work=work)
    store.mark_confirmed([rid], block_number=11)
    store.db.close()

    reopened = RequestStore(open_database(store_target))
    request = reopened.get(rid)
    assert (request.state, request.status, request.value, request.signatures) == (
        State.CONFIRMED,
        Status.OK,
        4_321,
        b"\x05" * 64,
    )
    assert (request.tx_id, request.settled_block, request.sends, request.features) == (7, 11, 1, (1, 2, 3))
    assert reopened.checkpoints.get() == Checkpoint(10, b"\xaa" * 32)
    assert request.seen_at <= request.predicted_at <= request.sent_at <= request.settled_at


def test_moves_from_the_wrong_state_change_nothing(store):
    store.add_seen([seen(1, 10)])
    rid = (1).to_bytes(32, "big")
    store.mark_signed([(rid, b"\x05" * 64)])  # not predicted yet
    store.mark_confirmed([rid], 12)  # not sent
    assert store.get(rid).state == State.SEEN
    store.mark_expired([rid])
    store.mark_predicted([(rid, Status.OK, 1)])  # expired is final
    assert store.get(rid).state == State.EXPIRED


def test_unsent_answers_return_to_signed_and_expiry_is_by_chain_time(store):
    store.add_seen([seen(1, 10), seen(2, 10)])
    ids = [(n).to_bytes(32, "big") for n in (1, 2)]
    store.mark_predicted([(i, Status.OK, 5) for i in ids])
    store.mark_signed([(i, b"\x05" * 64) for i in ids])
    store.mark_sent(ids[:1], tx_id=1)
    store.back_to_signed(ids[:1], "transaction dropped")
    assert store.get(ids[0]).state == State.SIGNED and store.get(ids[0]).error == "transaction dropped"
    assert store.due_to_expire(1_999_999_999) == []
    assert sorted(store.due_to_expire(2_000_000_000)) == ids


def test_rewind_forgets_reorged_requests_and_resends_reorged_answers(store):
    for block in (10, 11, 12):
        store.add_seen([seen(block, block)], Checkpoint(block, block.to_bytes(32, "big")))
    ids = {b: b.to_bytes(32, "big") for b in (10, 11, 12)}
    for rid in ids.values():
        store.mark_predicted([(rid, Status.OK, 1)])
        store.mark_signed([(rid, b"\x05" * 64)])
        store.mark_sent([rid], tx_id=1)
    store.mark_confirmed([ids[10]], 10)
    store.mark_confirmed([ids[11]], 11)  # its answer landed in block 11, which the reorg replaces

    dropped, resent = store.rewind(12)
    assert (dropped, resent) == (1, 0)
    dropped, resent = store.rewind(11)
    assert (dropped, resent) == (1, 0)
    assert store.get(ids[12]) is None and store.get(ids[11]) is None
    assert store.checkpoints.get() == Checkpoint(10, (10).to_bytes(32, "big"))

    store.add_seen([seen(11, 11)])
    store.mark_predicted([(ids[11], Status.OK, 1)])
    store.mark_signed([(ids[11], b"\x05" * 64)])
    store.mark_sent([ids[11]], tx_id=2)
    store.mark_confirmed([ids[10]], 10)
    store.db.query("UPDATE requests SET settled_block = 13 WHERE request_id = ?", (ids[10],))
    assert store.rewind(13) == (0, 1)
    assert store.get(ids[10]).state == State.SIGNED


def test_search_and_counts_filter_by_state_model_and_consumer(store):
    store.add_seen([seen(n, n) for n in range(1, 6)])
    store.mark_predicted([((1).to_bytes(32, "big"), Status.INVALID_INPUT, 0)])
    assert store.count() == 5
    assert store.count(state=State.PREDICTED) == 1
    assert store.count(consumer=CONSUMER, model_id=b"\x01" * 32) == 5
    assert store.count(model_id=b"\x03" * 32) == 0
    newest = store.search(limit=2)
    assert [r.block_number for r in newest] == [5, 4]
    assert [r.block_number for r in store.search(limit=2, offset=2)] == [3, 2]
    assert store.counts_by_state()[State.SEEN] == 4


def test_get_many_returns_the_stored_requests_by_id_across_query_chunks(store):
    store.add_seen([seen(n, 10 + n) for n in range(1, 602)])
    ids = [n.to_bytes(32, "big") for n in range(1, 602)]
    unknown = (9_999).to_bytes(32, "big")
    found = store.get_many([*ids, unknown])
    assert set(found) == set(ids)
    assert all(found[rid] == store.get(rid) for rid in ids[::100])
