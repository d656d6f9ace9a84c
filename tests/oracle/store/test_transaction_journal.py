"""The transaction journal on its own: what it records, the transitions it refuses, and its totals."""

import pytest
from eth_utils import keccak

from oracle.store.database import StoreError
from oracle.store.engines import open_database
from oracle.store.transactions import JournalStats, TransactionJournal, TxAttempt

SENDER = "0x1111111111111111111111111111111111111111"
OTHER_SENDER = "0x2222222222222222222222222222222222222222"
TO = "0x3333333333333333333333333333333333333333"


def attempt(label: str, max_fee: int = 2_000, priority_fee: int = 1_000, sent_block: int = 7) -> TxAttempt:
    return TxAttempt(keccak(text=label), b"raw " + label.encode(), max_fee, priority_fee, sent_block)


def test_record_stores_the_transaction_and_its_first_attempt(journal):
    tx_id = journal.record(SENDER, 5, TO, b"\x01\x02", 90_000, attempt("a"))

    tx = journal.get(tx_id)
    assert (tx.sender, tx.nonce, tx.to, tx.data, tx.gas_limit, tx.state) == (
        SENDER,
        5,
        TO,
        b"\x01\x02",
        90_000,
        "pending",
    )
    assert (tx.mined_hash, tx.block_number, tx.gas_used, tx.effective_gas_price) == (None, None, None, None)
    [first] = tx.attempts
    assert (first.tx_hash, first.raw, first.max_fee_per_gas, first.max_priority_fee_per_gas) == (
        keccak(text="a"),
        b"raw a",
        2_000,
        1_000,
    )
    assert (first.sent_block, first.attempt) == (7, 1)
    assert first.created_at > 0


def test_get_returns_none_for_an_unknown_tx_id(journal):
    assert journal.get(42) is None


def test_record_refuses_a_second_pending_transaction_at_the_same_nonce(journal):
    journal.record(SENDER, 5, TO, b"\x01", 90_000, attempt("a"))

    with pytest.raises(StoreError, match="already has a pending transaction at nonce 5"):
        journal.record(SENDER, 5, TO, b"\x02", 90_000, attempt("b"))
    assert journal.pending_count(SENDER) == 1
    assert journal.get(2) is None  # the failed insert left nothing behind


def test_add_attempt_numbers_replacements_and_keeps_them_in_order(journal):
    tx_id = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))

    second = journal.add_attempt(tx_id, attempt("b", 2_500, 1_250, sent_block=10))
    third = journal.add_attempt(tx_id, attempt("c", 3_125, 1_563, sent_block=13))

    assert (second.attempt, third.attempt) == (2, 3)
    tx = journal.get(tx_id)
    assert [a.tx_hash for a in tx.attempts] == [keccak(text=label) for label in "abc"]
    assert tx.latest_attempt == third
    assert (tx.latest_attempt.max_fee_per_gas, tx.latest_attempt.sent_block) == (3_125, 13)


def test_add_attempt_refuses_a_final_or_unknown_transaction(journal):
    tx_id = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))
    journal.mark_dropped(tx_id)

    with pytest.raises(StoreError, match="is dropped, not pending"):
        journal.add_attempt(tx_id, attempt("b"))
    with pytest.raises(StoreError, match="no transaction 99"):
        journal.add_attempt(99, attempt("c"))


def test_mark_mined_records_the_receipt_data(journal):
    tx_id = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))
    journal.add_attempt(tx_id, attempt("b"))

    journal.mark_mined(tx_id, keccak(text="a"), 120, 21_000, 3 * 10**9)

    tx = journal.get(tx_id)
    assert (tx.state, tx.mined_hash, tx.block_number, tx.gas_used, tx.effective_gas_price) == (
        "mined",
        keccak(text="a"),
        120,
        21_000,
        3 * 10**9,
    )
    assert journal.pending(SENDER) == []


def test_mark_reverted_records_the_receipt_data(journal):
    tx_id = journal.record(SENDER, 0, TO, b"", 50_000, attempt("a"))

    journal.mark_reverted(tx_id, keccak(text="a"), 9, 31_000, 7)

    tx = journal.get(tx_id)
    assert (tx.state, tx.mined_hash, tx.block_number, tx.gas_used, tx.effective_gas_price) == (
        "reverted",
        keccak(text="a"),
        9,
        31_000,
        7,
    )


def test_marking_refuses_a_hash_that_is_not_an_attempt_of_the_transaction(journal):
    first = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))
    journal.record(SENDER, 1, TO, b"", 21_000, attempt("b"))

    with pytest.raises(StoreError, match="is not an attempt of transaction 1"):
        journal.mark_mined(first, keccak(text="b"), 1, 21_000, 1)
    with pytest.raises(StoreError, match="is not an attempt of transaction 1"):
        journal.mark_mined(first, keccak(text="unknown"), 1, 21_000, 1)
    assert journal.get(first).state == "pending"


def test_a_final_transaction_cannot_be_marked_again(journal):
    tx_id = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))
    journal.mark_mined(tx_id, keccak(text="a"), 1, 21_000, 1)

    with pytest.raises(StoreError, match="is not pending"):
        journal.mark_dropped(tx_id)
    with pytest.raises(StoreError, match="is not pending"):
        journal.mark_reverted(tx_id, keccak(text="a"), 1, 21_000, 1)
    assert journal.get(tx_id).state == "mined"


def test_pending_queries_are_per_sender_and_in_nonce_order(journal):
    journal.record(SENDER, 4, TO, b"\x04", 21_000, attempt("4"))
    journal.record(SENDER, 2, TO, b"\x02", 21_000, attempt("2"))
    mined = journal.record(SENDER, 3, TO, b"\x03", 21_000, attempt("3"))
    journal.record(OTHER_SENDER, 9, TO, b"\x09", 21_000, attempt("9"))
    journal.mark_mined(mined, keccak(text="3"), 1, 21_000, 1)

    assert [tx.nonce for tx in journal.pending(SENDER)] == [2, 4]
    assert [(tx.sender, tx.nonce) for tx in journal.pending()] == [(SENDER, 2), (SENDER, 4), (OTHER_SENDER, 9)]
    assert journal.pending_count(SENDER) == 2
    assert journal.highest_pending_nonce(SENDER) == 4
    assert journal.highest_pending_nonce(OTHER_SENDER) == 9
    assert journal.highest_pending_nonce("0x4444444444444444444444444444444444444444") is None


def test_find_pending_matches_sender_target_and_data_of_pending_transactions_only(journal):
    tx_id = journal.record(SENDER, 0, TO, b"\xaa", 21_000, attempt("a"))
    done = journal.record(SENDER, 1, TO, b"\xbb", 21_000, attempt("b"))
    journal.mark_dropped(done)

    assert journal.find_pending(SENDER, TO, b"\xaa").tx_id == tx_id
    assert journal.find_pending(SENDER, TO, b"\xbb") is None
    assert journal.find_pending(OTHER_SENDER, TO, b"\xaa") is None
    assert journal.find_pending(SENDER, OTHER_SENDER, b"\xaa") is None


def test_stats_count_states_replacements_gas_and_exact_fees(journal):
    huge_price = 2**70  # beyond SQLite's 64-bit integers: stored and summed exactly
    mined = journal.record(SENDER, 0, TO, b"", 21_000, attempt("a"))
    journal.add_attempt(mined, attempt("a2"))
    journal.add_attempt(mined, attempt("a3"))
    journal.mark_mined(mined, keccak(text="a3"), 1, 21_000, huge_price)
    reverted = journal.record(SENDER, 1, TO, b"", 50_000, attempt("b"))
    journal.mark_reverted(reverted, keccak(text="b"), 2, 40_000, 5)
    dropped = journal.record(SENDER, 2, TO, b"", 21_000, attempt("c"))
    journal.add_attempt(dropped, attempt("c2"))
    journal.mark_dropped(dropped)
    journal.record(SENDER, 3, TO, b"", 21_000, attempt("d"))

    assert journal.stats() == JournalStats(
        pending=1,
        mined=1,
        reverted=1,
        dropped=1,
        replacements=3,
        gas_used=61_000,
        fees_paid_wei=21_000 * huge_price + 40_000 * 5,
    )


def test_the_journal_survives_reopening_the_database_file(db_path):
    first = open_database(db_path)
    journal = TransactionJournal(first)
    tx_id = journal.record(SENDER, 0, TO, b"\x01", 21_000, attempt("a"))
    journal.add_attempt(tx_id, attempt("b"))
    before = journal.get(tx_id)
    first.close()

    reopened = open_database(db_path)
    try:
        assert TransactionJournal(reopened).get(tx_id) == before
        assert TransactionJournal(reopened).pending(SENDER) == [before]
    finally:
        reopened.close()
