"""The transaction journal: every transaction the node signs, and every attempt at it, recorded before broadcast."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from oracle.store.database import Engine, StoreError, integrity_errors
from oracle.store.unit_of_work import Row, UnitOfWork


class TxState(StrEnum):
    """Where a journalled transaction stands: pending until a receipt (mined, reverted) or its nonce taken by
    another transaction (dropped) makes it final."""

    PENDING = "pending"
    MINED = "mined"
    REVERTED = "reverted"
    DROPPED = "dropped"


@dataclass(frozen=True)
class TxAttempt:
    """One signed version of a transaction; replacements keep the nonce and raise the fees."""

    tx_hash: bytes
    raw: bytes
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    sent_block: int  # the chain's latest block when this attempt was signed
    attempt: int = 1  # 1 for the original, then 2, 3, ... for each replacement
    created_at: float = 0.0


@dataclass(frozen=True)
class JournaledTx:
    tx_id: int
    sender: str
    nonce: int
    to: str
    data: bytes
    gas_limit: int
    state: TxState
    mined_hash: bytes | None
    block_number: int | None
    gas_used: int | None
    effective_gas_price: int | None
    created_at: float
    updated_at: float
    attempts: tuple[TxAttempt, ...]  # oldest first

    @property
    def latest_attempt(self) -> TxAttempt:
        return self.attempts[-1]


@dataclass(frozen=True)
class JournalStats:
    """Totals for metrics: transactions by state, replacements sent, gas and fees of the mined and reverted."""

    pending: int
    mined: int
    reverted: int
    dropped: int
    replacements: int
    gas_used: int
    fees_paid_wei: int


class TransactionJournal:
    """All SQL for the `transactions` and `tx_attempts` tables."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def record(
        self,
        sender: str,
        nonce: int,
        to: str,
        data: bytes,
        gas_limit: int,
        attempt: TxAttempt,
        link: Callable[[int, UnitOfWork], None] | None = None,
    ) -> int:
        """Inserts a pending transaction and its first attempt in one database transaction; returns its tx_id.
        `link(tx_id, work)` writes through that transaction's unit of work what the caller links to the
        transaction (the requests it answers), so the link commits together with it or not at all."""
        now = time.time()
        with self._db.transaction() as work:
            try:
                tx_id: int = work.execute(
                    "INSERT INTO transactions (sender, nonce, to_address, data, gas_limit, state, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING tx_id",
                    (sender, nonce, to, bytes(data), gas_limit, TxState.PENDING.value, now, now),
                ).fetchone()[0]
            except integrity_errors() as error:
                raise StoreError(f"{sender} already has a pending transaction at nonce {nonce}") from error
            _insert_attempt(work, tx_id, 1, attempt, now)
            if link is not None:
                link(tx_id, work)
        return tx_id

    def add_attempt(self, tx_id: int, attempt: TxAttempt) -> TxAttempt:
        """Records a replacement of a pending transaction; returns it with its attempt number."""
        now = time.time()
        with self._db.transaction() as work:
            row = work.execute(
                "SELECT state, COALESCE((SELECT MAX(attempt) FROM tx_attempts WHERE tx_id = ?), 0) AS last"
                " FROM transactions WHERE tx_id = ?",
                (tx_id, tx_id),
            ).fetchone()
            if row is None:
                raise StoreError(f"no transaction {tx_id}")
            if row["state"] != TxState.PENDING:
                raise StoreError(f"transaction {tx_id} is {row['state']}, not pending")
            number = int(row["last"]) + 1
            _insert_attempt(work, tx_id, number, attempt, now)
            work.execute("UPDATE transactions SET updated_at = ? WHERE tx_id = ?", (now, tx_id))
        return TxAttempt(
            attempt.tx_hash,
            attempt.raw,
            attempt.max_fee_per_gas,
            attempt.max_priority_fee_per_gas,
            attempt.sent_block,
            number,
            now,
        )

    def mark_mined(
        self, tx_id: int, tx_hash: bytes, block_number: int, gas_used: int, effective_gas_price: int
    ) -> None:
        self._finish(tx_id, TxState.MINED, tx_hash, block_number, gas_used, effective_gas_price)

    def mark_reverted(
        self, tx_id: int, tx_hash: bytes, block_number: int, gas_used: int, effective_gas_price: int
    ) -> None:
        self._finish(tx_id, TxState.REVERTED, tx_hash, block_number, gas_used, effective_gas_price)

    def mark_dropped(self, tx_id: int) -> None:
        self._finish(tx_id, TxState.DROPPED, None, None, None, None)

    def _finish(
        self,
        tx_id: int,
        state: TxState,
        tx_hash: bytes | None,
        block_number: int | None,
        gas_used: int | None,
        effective_gas_price: int | None,
    ) -> None:
        with self._db.transaction() as work:
            if tx_hash is not None:
                owner = work.execute("SELECT tx_id FROM tx_attempts WHERE tx_hash = ?", (bytes(tx_hash),)).fetchone()
                if owner is None or owner["tx_id"] != tx_id:
                    raise StoreError(f"0x{bytes(tx_hash).hex()} is not an attempt of transaction {tx_id}")
            updated = work.execute(
                "UPDATE transactions SET state = ?, mined_hash = ?, block_number = ?, gas_used = ?,"
                " effective_gas_price = ?, updated_at = ? WHERE tx_id = ? AND state = ?",
                (
                    state.value,
                    None if tx_hash is None else bytes(tx_hash),
                    block_number,
                    gas_used,
                    None if effective_gas_price is None else str(effective_gas_price),
                    time.time(),
                    tx_id,
                    TxState.PENDING.value,
                ),
            ).rowcount
            if updated != 1:
                raise StoreError(f"transaction {tx_id} is not pending")

    def get(self, tx_id: int) -> JournaledTx | None:
        rows = self._db.query("SELECT * FROM transactions WHERE tx_id = ?", (tx_id,))
        return self._with_attempts(rows)[0] if rows else None

    def pending(self, sender: str | None = None) -> list[JournaledTx]:
        """Pending transactions in nonce order, of one sender or of all."""
        if sender is None:
            rows = self._db.query(
                "SELECT * FROM transactions WHERE state = ? ORDER BY sender, nonce", (TxState.PENDING.value,)
            )
        else:
            rows = self._db.query(
                "SELECT * FROM transactions WHERE state = ? AND sender = ? ORDER BY nonce",
                (TxState.PENDING.value, sender),
            )
        return self._with_attempts(rows)

    def pending_count(self, sender: str) -> int:
        return int(
            self._db.query(
                "SELECT COUNT(*) FROM transactions WHERE state = ? AND sender = ?", (TxState.PENDING.value, sender)
            )[0][0]
        )

    def highest_pending_nonce(self, sender: str) -> int | None:
        value = self._db.query(
            "SELECT MAX(nonce) FROM transactions WHERE state = ? AND sender = ?", (TxState.PENDING.value, sender)
        )
        return None if value[0][0] is None else int(value[0][0])

    def highest_nonce(self, sender: str) -> int | None:
        """The highest nonce `sender` has journalled, in any state."""
        value = self._db.query("SELECT MAX(nonce) FROM transactions WHERE sender = ?", (sender,))
        return None if value[0][0] is None else int(value[0][0])

    def find_pending(self, sender: str, to: str, data: bytes) -> JournaledTx | None:
        """The pending transaction of `sender` that makes exactly this call, if any."""
        rows = self._db.query(
            "SELECT * FROM transactions WHERE state = ? AND sender = ? AND to_address = ? AND data = ?"
            " ORDER BY nonce LIMIT 1",
            (TxState.PENDING.value, sender, to, bytes(data)),
        )
        return self._with_attempts(rows)[0] if rows else None

    def stats(self) -> JournalStats:
        by_state = dict.fromkeys(TxState, 0)
        for row in self._db.query("SELECT state, COUNT(*) AS n FROM transactions GROUP BY state"):
            by_state[TxState(row["state"])] = int(row["n"])
        attempts = int(self._db.query("SELECT COUNT(*) FROM tx_attempts")[0][0])
        gas_used = 0
        fees_paid_wei = 0
        for row in self._db.query(
            "SELECT gas_used, effective_gas_price FROM transactions WHERE state IN (?, ?)",
            (TxState.MINED.value, TxState.REVERTED.value),
        ):
            gas_used += int(row["gas_used"])
            fees_paid_wei += int(row["gas_used"]) * int(row["effective_gas_price"])
        return JournalStats(
            pending=by_state[TxState.PENDING],
            mined=by_state[TxState.MINED],
            reverted=by_state[TxState.REVERTED],
            dropped=by_state[TxState.DROPPED],
            replacements=attempts - sum(by_state.values()),
            gas_used=gas_used,
            fees_paid_wei=fees_paid_wei,
        )

    def _with_attempts(self, rows: list[Row]) -> list[JournaledTx]:
        if not rows:
            return []
        ids = [row["tx_id"] for row in rows]
        attempts: dict[int, list[TxAttempt]] = {tx_id: [] for tx_id in ids}
        placeholders = ",".join("?" * len(ids))
        for a in self._db.query(
            f"SELECT * FROM tx_attempts WHERE tx_id IN ({placeholders}) ORDER BY tx_id, attempt", tuple(ids)
        ):
            attempts[a["tx_id"]].append(
                TxAttempt(
                    bytes(a["tx_hash"]),
                    bytes(a["raw"]),
                    int(a["max_fee_per_gas"]),
                    int(a["max_priority_fee_per_gas"]),
                    int(a["sent_block"]),
                    int(a["attempt"]),
                    float(a["created_at"]),
                )
            )
        return [_journaled(row, tuple(attempts[row["tx_id"]])) for row in rows]


def _insert_attempt(work: UnitOfWork, tx_id: int, number: int, attempt: TxAttempt, now: float) -> None:
    work.execute(
        "INSERT INTO tx_attempts (tx_hash, tx_id, attempt, raw, max_fee_per_gas, max_priority_fee_per_gas,"
        " sent_block, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            bytes(attempt.tx_hash),
            tx_id,
            number,
            bytes(attempt.raw),
            str(attempt.max_fee_per_gas),
            str(attempt.max_priority_fee_per_gas),
            attempt.sent_block,
            now,
        ),
    )


def _journaled(row: Row, attempts: tuple[TxAttempt, ...]) -> JournaledTx:
    return JournaledTx(
        tx_id=int(row["tx_id"]),
        sender=row["sender"],
        nonce=int(row["nonce"]),
        to=row["to_address"],
        data=bytes(row["data"]),
        gas_limit=int(row["gas_limit"]),
        state=TxState(row["state"]),
        mined_hash=None if row["mined_hash"] is None else bytes(row["mined_hash"]),
        block_number=row["block_number"],
        gas_used=row["gas_used"],
        effective_gas_price=None if row["effective_gas_price"] is None else int(row["effective_gas_price"]),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        attempts=attempts,
    )
