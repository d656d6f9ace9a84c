"""Every request the node has seen and where it stands; each move is one committed database transaction.

seen -> predicted -> signed -> sent -> confirmed | failed | expired
                      ^         |
                      +---------+  (transaction dropped or reverted, or the block it landed in reorged away)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oracle.privacy.inputs import PrivateInput
from oracle.store.checkpoints import Checkpoint, ListenerCheckpoint
from oracle.store.database import Engine, StoreError
from oracle.store.transactions import TxState
from oracle.store.unit_of_work import Row, UnitOfWork
from oracle.types import Request, Status


class State(StrEnum):
    SEEN = "seen"
    PREDICTED = "predicted"
    SIGNED = "signed"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    EXPIRED = "expired"


FINAL_STATES = frozenset({State.CONFIRMED, State.FAILED, State.EXPIRED})
# not yet sent: a settlement seen on chain or a deadline passed ends these directly
UNSENT_STATES = (State.SEEN, State.PREDICTED, State.SIGNED)
_FINAL = tuple(sorted(FINAL_STATES))  # in a fixed order, as SQL parameters


@dataclass(frozen=True)
class SeenRequest:
    """A PredictionRequested event as read from a block."""

    request_id: bytes
    request: Request
    features: tuple[int, ...]
    block_number: int
    block_hash: bytes
    log_index: int
    tx_hash: bytes
    private: PrivateInput | None = None  # a private request: `features` is empty, the input is sealed here


@dataclass(frozen=True)
class Settlement:
    """A PredictionFulfilled (`fulfilled`) or PredictionCancelled event as read from a block."""

    request_id: bytes
    fulfilled: bool
    block_number: int


@dataclass(frozen=True)
class StoredRequest:
    request_id: bytes
    request: Request
    features: tuple[int, ...]
    block_number: int
    block_hash: bytes
    log_index: int
    event_tx_hash: bytes
    state: State
    status: Status | None
    value: int | None
    signatures: bytes | None
    tx_id: int | None
    settled_block: int | None
    sends: int
    error: str | None
    inference_ms: float | None
    seen_at: float
    predicted_at: float | None
    sent_at: float | None
    settled_at: float | None
    updated_at: float
    private: PrivateInput | None = None
    input_error: str | None = None  # why the input was refused (INVALID_INPUT)

    @classmethod
    def from_row(cls, row: Row) -> StoredRequest:
        return cls(
            request_id=bytes(row["request_id"]),
            request=Request(
                bytes(row["model_id"]),
                bytes(row["artifact_hash"]),
                bytes(row["input_hash"]),
                row["consumer"],
                int(row["fee_wei"]),
                row["deadline"],
                row["callback_gas"],
            ),
            features=tuple(json.loads(row["features"])),
            block_number=row["block_number"],
            block_hash=bytes(row["block_hash"]),
            log_index=row["log_index"],
            event_tx_hash=bytes(row["event_tx_hash"]),
            state=State(row["state"]),
            status=None if row["status"] is None else Status(row["status"]),
            value=None if row["value"] is None else int(row["value"]),
            signatures=None if row["signatures"] is None else bytes(row["signatures"]),
            tx_id=row["tx_id"],
            settled_block=row["settled_block"],
            sends=row["sends"],
            error=row["error"],
            inference_ms=row["inference_ms"],
            seen_at=row["seen_at"],
            predicted_at=row["predicted_at"],
            sent_at=row["sent_at"],
            settled_at=row["settled_at"],
            updated_at=row["updated_at"],
            private=None
            if row["encrypted_input"] is None
            else PrivateInput(
                row["private_subject"],
                row["attestation_expires_at"],
                bytes(row["attestation_signature"]),
                bytes(row["encrypted_input"]),
            ),
            input_error=row["input_error"],
        )


class RequestStore:
    """All SQL for the `requests` table; the listener's checkpoint (`checkpoints`) moves with the requests it covers."""

    def __init__(self, db: Engine) -> None:
        self.db = db
        self.checkpoints = ListenerCheckpoint(db)

    # ------------------------------------------------------------------ moves
    def add_seen(
        self,
        requests: Iterable[SeenRequest],
        checkpoint: Checkpoint | None = None,
        settled: Sequence[Settlement] = (),
    ) -> int:
        """Records new requests (ones already known are left as they are), settles those answered or cancelled
        on chain that this node has not sent (a sent one is settled from its own receipt) and, in the same
        transaction, advances the listener's checkpoint, so a crash never skips or half-records a block range."""
        now = time.time()
        requests_list = list(requests)
        rows = [
            (
                r.request_id,
                r.request.model_id,
                r.request.artifact_hash,
                r.request.input_hash,
                r.request.consumer,
                str(r.request.fee_wei),
                r.request.deadline,
                r.request.callback_gas_limit,
                json.dumps(list(r.features)),
                r.block_number,
                r.block_hash,
                r.log_index,
                r.tx_hash,
                State.SEEN.value,
                now,
                now,
                *(
                    (None, None, None, None)
                    if r.private is None
                    else (
                        r.private.subject,
                        r.private.attestation_expires_at,
                        r.private.attestation_signature,
                        r.private.encrypted_input,
                    )
                ),
            )
            for r in requests_list
        ]
        with self.db.transaction() as work:
            before = work.total_changes
            work.executemany(
                "INSERT INTO requests (request_id, model_id, artifact_hash, input_hash, consumer, fee_wei,"
                " deadline, callback_gas, features, block_number, block_hash, log_index, event_tx_hash, state,"
                " seen_at, updated_at, private_subject, attestation_expires_at, attestation_signature, encrypted_input)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (request_id) DO NOTHING",
                rows,
            )
            inserted = work.total_changes - before
            self.checkpoints.remember(work, (Checkpoint(r.block_number, r.block_hash) for r in requests_list))
            work.executemany(
                "UPDATE requests SET state = ?, settled_block = ?, error = NULL, settled_at = ?, updated_at = ?"
                f" WHERE request_id = ? AND state IN {_marks(UNSENT_STATES)}",
                [
                    (
                        (State.CONFIRMED if s.fulfilled else State.EXPIRED).value,
                        s.block_number,
                        now,
                        now,
                        s.request_id,
                        *_values(UNSENT_STATES),
                    )
                    for s in settled
                ],
            )
            if checkpoint is not None:
                self.checkpoints.advance(work, checkpoint)
        return inserted

    def mark_predicted(
        self,
        results: Sequence[tuple[bytes, Status, int]],
        inference_ms: float | None = None,
        reasons: dict[bytes, str] | None = None,
    ) -> None:
        """`reasons`: why a request's input was refused (INVALID_INPUT), kept in its `input_error`."""
        now = time.time()
        reasons = reasons or {}
        self._move(
            "UPDATE requests SET state = ?, status = ?, value = ?, inference_ms = ?, predicted_at = ?,"
            " input_error = ?, updated_at = ? WHERE request_id = ? AND state = ?",
            [
                (
                    State.PREDICTED.value,
                    int(status),
                    str(value),
                    inference_ms,
                    now,
                    reasons.get(rid),
                    now,
                    rid,
                    State.SEEN.value,
                )
                for rid, status, value in results
            ],
        )

    def mark_signed(self, signed: Sequence[tuple[bytes, bytes]]) -> None:
        self._move(
            "UPDATE requests SET state = ?, signatures = ?, updated_at = ? WHERE request_id = ? AND state = ?",
            [(State.SIGNED.value, signatures, time.time(), rid, State.PREDICTED.value) for rid, signatures in signed],
        )

    def mark_sent(self, request_ids: Sequence[bytes], tx_id: int, work: UnitOfWork | None = None) -> None:
        """Links requests to the transaction carrying them; pass the journal's unit of work (`work`), so the link
        and the journalled transaction commit together."""
        now = time.time()
        rows = [(State.SENT.value, tx_id, now, now, rid, State.SIGNED.value) for rid in request_ids]
        sql = (
            "UPDATE requests SET state = ?, tx_id = ?, sends = sends + 1, error = NULL, sent_at = ?, updated_at = ?"
            " WHERE request_id = ? AND state = ?"
        )
        if work is not None:
            work.executemany(sql, rows)
        else:
            self._move(sql, rows)

    def mark_confirmed(self, request_ids: Sequence[bytes], block_number: int) -> None:
        now = time.time()
        self._move(
            "UPDATE requests SET state = ?, settled_block = ?, error = NULL, settled_at = ?, updated_at = ?"
            " WHERE request_id = ? AND state = ?",
            [(State.CONFIRMED.value, block_number, now, now, rid, State.SENT.value) for rid in request_ids],
        )

    def mark_failed(self, failures: Sequence[tuple[bytes, str]], block_number: int | None = None) -> None:
        """Final: the chain will not take this answer (e.g. the request is gone or its model was re-versioned)."""
        now = time.time()
        self._move(
            "UPDATE requests SET state = ?, error = ?, settled_block = ?, settled_at = ?, updated_at = ?"
            f" WHERE request_id = ? AND state NOT IN {_marks(_FINAL)}",
            [(State.FAILED.value, reason, block_number, now, now, rid, *_values(_FINAL)) for rid, reason in failures],
        )

    def mark_expired(self, request_ids: Sequence[bytes]) -> None:
        now = time.time()
        self._move(
            "UPDATE requests SET state = ?, settled_at = ?, updated_at = ?"
            f" WHERE request_id = ? AND state NOT IN {_marks(_FINAL)}",
            [(State.EXPIRED.value, now, now, rid, *_values(_FINAL)) for rid in request_ids],
        )

    def back_to_signed(self, request_ids: Sequence[bytes], reason: str) -> None:
        """The transaction carrying these did not land: they wait to be sent again."""
        self._move(
            "UPDATE requests SET state = ?, tx_id = NULL, error = ?, updated_at = ? WHERE request_id = ? AND state = ?",
            [(State.SIGNED.value, reason, time.time(), rid, State.SENT.value) for rid in request_ids],
        )

    def rewind(self, fork_block: int, agreed: Checkpoint | None = None) -> tuple[int, int]:
        """Forgets what the chain no longer holds after a reorg whose first replaced block is `fork_block`:
        requests first seen there are dropped (the listener reads them again if they still exist) and
        answers that landed there wait to be sent again. The listener resumes after `agreed` (a block both
        chains share) when given, else after the newest recorded block hash below the fork, else from its
        start block. Returns (dropped, resent)."""
        now = time.time()
        with self.db.transaction() as work:
            dropped = work.execute("DELETE FROM requests WHERE block_number >= ?", (fork_block,)).rowcount
            resent = work.execute(
                "UPDATE requests SET state = ?, tx_id = NULL, settled_block = NULL,"
                " error = 'reorg: answer to be sent again', updated_at = ?"
                f" WHERE settled_block >= ? AND state IN {_marks(_FINAL)}",
                (State.SIGNED.value, now, fork_block, *_values(_FINAL)),
            ).rowcount
            self.checkpoints.rewind(work, fork_block, agreed)
        return dropped, resent

    # ------------------------------------------------------------------ reads
    def in_state(self, state: State, limit: int = 1_000) -> list[StoredRequest]:
        rows = self.db.query(
            "SELECT * FROM requests WHERE state = ? ORDER BY block_number, log_index LIMIT ?", (state.value, limit)
        )
        return [StoredRequest.from_row(row) for row in rows]

    def open_ids(self, request_ids: Sequence[bytes]) -> set[bytes]:
        """Those of `request_ids` known here and not yet in a final state."""
        found: set[bytes] = set()
        for start in range(0, len(request_ids), 500):  # SQLite's bound on host parameters
            chunk = list(request_ids[start : start + 500])
            rows = self.db.query(
                f"SELECT request_id FROM requests WHERE request_id IN {_marks(chunk)}"
                f" AND state NOT IN {_marks(_FINAL)}",
                (*chunk, *_values(_FINAL)),
            )
            found.update(bytes(row[0]) for row in rows)
        return found

    def due_to_expire(self, deadline_before: int) -> list[bytes]:
        """Requests not yet sent whose deadline is at or before `deadline_before` (chain time)."""
        rows = self.db.query(
            f"SELECT request_id FROM requests WHERE state IN {_marks(UNSENT_STATES)} AND deadline <= ?",
            (*_values(UNSENT_STATES), deadline_before),
        )
        return [bytes(row[0]) for row in rows]

    def sent_on_final_transactions(self) -> list[int]:
        """Ids of journalled transactions that are final (mined, reverted, dropped) while requests they carry are
        still `sent`: outcomes recorded in the journal but not yet handed to their requests."""
        rows = self.db.query(
            "SELECT DISTINCT r.tx_id FROM requests r JOIN transactions t ON t.tx_id = r.tx_id"
            " WHERE r.state = ? AND t.state <> ? ORDER BY r.tx_id",
            (State.SENT.value, TxState.PENDING.value),
        )
        return [int(row[0]) for row in rows]

    def by_tx(self, tx_id: int) -> list[StoredRequest]:
        rows = self.db.query("SELECT * FROM requests WHERE tx_id = ? ORDER BY block_number, log_index", (tx_id,))
        return [StoredRequest.from_row(row) for row in rows]

    def get(self, request_id: bytes) -> StoredRequest | None:
        rows = self.db.query("SELECT * FROM requests WHERE request_id = ?", (request_id,))
        return StoredRequest.from_row(rows[0]) if rows else None

    def get_many(self, request_ids: Sequence[bytes]) -> dict[bytes, StoredRequest]:
        """Those of `request_ids` in the store, by id: one query per 500 instead of one per request."""
        found: dict[bytes, StoredRequest] = {}
        for start in range(0, len(request_ids), 500):  # SQLite's bound on host parameters
            chunk = list(request_ids[start : start + 500])
            rows = self.db.query(
                f"SELECT * FROM requests WHERE request_id IN ({', '.join('?' * len(chunk))})", tuple(chunk)
            )
            found.update((request.request_id, request) for request in map(StoredRequest.from_row, rows))
        return found

    def search(
        self,
        *,
        state: State | None = None,
        model_id: bytes | None = None,
        consumer: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[StoredRequest]:
        """Newest first, filtered by any of state, model and consumer."""
        clauses, parameters = _filters(state, model_id, consumer)
        rows = self.db.query(
            f"SELECT * FROM requests {clauses} ORDER BY block_number DESC, log_index DESC LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [StoredRequest.from_row(row) for row in rows]

    def count(self, *, state: State | None = None, model_id: bytes | None = None, consumer: str | None = None) -> int:
        clauses, parameters = _filters(state, model_id, consumer)
        return int(self.db.query(f"SELECT COUNT(*) FROM requests {clauses}", tuple(parameters))[0][0])

    def counts_by_state(self) -> dict[State, int]:
        counts = {state: 0 for state in State}
        for row in self.db.query("SELECT state, COUNT(*) FROM requests GROUP BY state"):
            counts[State(row[0])] = row[1]
        return counts

    # ------------------------------------------------------------------ blocks holding requests
    def request_block_count(self, before: int) -> int:
        """How many distinct blocks below `before` hold requests (the blocks whose hashes the store still knows
        after the recorded ones were pruned)."""
        return int(
            self.db.query(
                "SELECT COUNT(*) FROM (SELECT DISTINCT block_number, block_hash FROM requests"
                " WHERE block_number < ?) AS known",
                (before,),
            )[0][0]
        )

    def request_block(self, index: int, before: int) -> Checkpoint:
        """The `index`-th (oldest first) of the distinct blocks below `before` that hold requests."""
        rows = self.db.query(
            "SELECT DISTINCT block_number, block_hash FROM requests WHERE block_number < ?"
            " ORDER BY block_number LIMIT 1 OFFSET ?",
            (before, index),
        )
        return Checkpoint(rows[0][0], bytes(rows[0][1]))

    # ------------------------------------------------------------------ internals
    def _move(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.db.transaction() as work:
            work.executemany(sql, rows)


def _marks(values: Sequence[object]) -> str:
    """`(?, ?, ...)`: one placeholder per value, for an IN clause."""
    return f"({', '.join('?' * len(values))})"


def _values(states: Iterable[State]) -> tuple[str, ...]:
    return tuple(state.value for state in states)


def _filters(state: State | None, model_id: bytes | None, consumer: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    parameters: list[object] = []
    if state is not None:
        clauses.append("state = ?")
        parameters.append(State(state).value)
    if model_id is not None:
        clauses.append("model_id = ?")
        parameters.append(model_id)
    if consumer is not None:
        clauses.append("consumer = ?")
        parameters.append(consumer)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", parameters


__all__ = [
    "FINAL_STATES",
    "RequestStore",
    "SeenRequest",
    "Settlement",
    "State",
    "StoreError",
    "StoredRequest",
]
