"""The transaction journal's entry and its request links commit in one database transaction, which the crash
tests rely on, on both engines. (The journal's own tests, test_transaction_journal.py, run on both engines
through this directory's `db` fixture.)"""

from functools import partial

import pytest

from oracle.store.database import StoreError
from oracle.store.engines import open_database
from oracle.store.requests import RequestStore, State
from oracle.store.transactions import TransactionJournal
from oracle.types import Status
from tests.oracle.store.test_requests import seen
from tests.oracle.store.test_transaction_journal import SENDER, TO, attempt


def _signed_request(db) -> bytes:
    store = RequestStore(db)
    store.add_seen([seen(1, 10)])
    rid = (1).to_bytes(32, "big")
    store.mark_predicted([(rid, Status.OK, 7)])
    store.mark_signed([(rid, b"\x05" * 64)])
    return rid


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_journal_entry_and_its_request_links_commit_together_or_not_at_all(engine, tmp_path, request):
    db = open_database(tmp_path / "oracle.db" if engine == "sqlite" else request.getfixturevalue("postgres_url"))
    journal, store = TransactionJournal(db), RequestStore(db)
    rid = _signed_request(db)

    def link_then_fail(tx_id, work):
        store.mark_sent([rid], tx_id, work)
        raise RuntimeError("crash between the link and the commit")

    with pytest.raises(RuntimeError):
        journal.record(SENDER, 0, TO, b"\x01", 21_000, attempt("a"), link=link_then_fail)
    assert journal.pending(SENDER) == [] and store.get(rid).state == State.SIGNED

    tx_id = journal.record(SENDER, 0, TO, b"\x01", 21_000, attempt("a"), link=partial(store.mark_sent, [rid]))
    assert store.get(rid).state == State.SENT and store.get(rid).tx_id == tx_id
    with pytest.raises(StoreError, match="already has a pending transaction at nonce 0"):
        journal.record(SENDER, 0, TO, b"\x02", 21_000, attempt("b"))
    db.close()
