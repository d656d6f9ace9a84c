"""Observations of the network's signers, and what this node exchanged with each peer."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from oracle.network.observation import Observation
from oracle.store.database import Engine
from oracle.store.requests import State
from oracle.store.unit_of_work import UnitOfWork
from oracle.types import Status

_UPSERT = (
    "INSERT INTO observations (request_id, signer, model_id, artifact_hash, input_hash, status, value, signature,"
    " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, signer) DO UPDATE SET"
    " model_id = excluded.model_id, artifact_hash = excluded.artifact_hash, input_hash = excluded.input_hash,"
    " status = excluded.status, value = excluded.value, signature = excluded.signature,"
    " received_at = excluded.received_at"
)


@dataclass(frozen=True)
class PeerStats:
    address: str
    last_seen_at: float | None
    received: int
    refused: int
    last_sent_at: float | None
    sent: int
    send_failures: int
    last_error: str | None


class ObservationStore:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def add(self, observations: Sequence[Observation], from_peer: str | None = None) -> None:
        """Keeps observations whose signatures were checked; `from_peer` is credited with receiving them."""
        now = time.time()
        rows = [
            (
                o.request_id,
                o.signer,
                o.model_id,
                o.artifact_hash,
                o.input_hash,
                int(o.status),
                str(o.value),
                o.signature,
                now,
            )
            for o in observations
        ]
        with self.db.transaction() as connection:
            connection.executemany(_UPSERT, rows)
            if from_peer is not None:
                self._peer_row(connection, from_peer)
                connection.execute(
                    "UPDATE peers SET received = received + ?, last_seen_at = ? WHERE address = ?",
                    (len(rows), now, from_peer),
                )

    def for_requests(self, request_ids: Sequence[bytes]) -> dict[bytes, list[Observation]]:
        """Every observation held for each of `request_ids`, oldest first."""
        found: dict[bytes, list[Observation]] = defaultdict(list)
        for start in range(0, len(request_ids), 500):  # SQLite's bound on host parameters
            chunk = request_ids[start : start + 500]
            rows = self.db.query(
                f"SELECT * FROM observations WHERE request_id IN ({', '.join('?' * len(chunk))})"
                " ORDER BY received_at, signer",
                tuple(chunk),
            )
            for row in rows:
                found[bytes(row["request_id"])].append(
                    Observation(
                        bytes(row["request_id"]),
                        bytes(row["model_id"]),
                        bytes(row["artifact_hash"]),
                        bytes(row["input_hash"]),
                        Status(row["status"]),
                        int(row["value"]),
                        row["signer"],
                        bytes(row["signature"]),
                    )
                )
        return found

    def quorate_signed(self, threshold: int, signers: Collection[str], limit: int) -> list[tuple[bytes, float]]:
        """The oldest signed requests, as (request id, seen_at), for which at least `threshold` of `signers`
        observed the same status with the request's own commitment fields: those a report can be built for.
        Counted by SQLite, so that the node builds no objects for requests still short of a quorum."""
        if not signers or threshold < 1:
            return []
        rows = self.db.query(
            "SELECT r.request_id, r.seen_at FROM requests r WHERE r.state = ? AND EXISTS (SELECT 1"
            " FROM observations o WHERE o.request_id = r.request_id AND o.model_id = r.model_id"
            " AND o.artifact_hash = r.artifact_hash AND o.input_hash = r.input_hash"
            f" AND o.signer IN ({', '.join('?' * len(signers))}) GROUP BY o.status HAVING COUNT(*) >= ?)"
            " ORDER BY r.block_number, r.log_index LIMIT ?",
            (State.SIGNED.value, *signers, threshold, limit),
        )
        return [(bytes(row[0]), row[1]) for row in rows]

    def prune(self, finished_before: float) -> int:
        """Forgets observations of requests that reached a final state before `finished_before` (unix time)."""
        with self.db.transaction() as connection:
            return connection.execute(
                "DELETE FROM observations WHERE request_id IN (SELECT request_id FROM requests"
                " WHERE state IN (?, ?, ?) AND settled_at < ?)",
                (State.CONFIRMED.value, State.FAILED.value, State.EXPIRED.value, finished_before),
            ).rowcount

    # ------------------------------------------------------------------ peers
    def record_refused(self, peer: str, count: int = 1) -> None:
        with self.db.transaction() as connection:
            self._peer_row(connection, peer)
            connection.execute("UPDATE peers SET refused = refused + ? WHERE address = ?", (count, peer))

    def record_sent(self, peer: str, count: int, error: str | None = None) -> None:
        """`count` observations delivered to `peer`, or (with `error`) a failed attempt to."""
        with self.db.transaction() as connection:
            self._peer_row(connection, peer)
            if error is None:
                connection.execute(
                    "UPDATE peers SET sent = sent + ?, last_sent_at = ?, last_error = NULL WHERE address = ?",
                    (count, time.time(), peer),
                )
            else:
                connection.execute(
                    "UPDATE peers SET send_failures = send_failures + 1, last_error = ? WHERE address = ?",
                    (error[:500], peer),
                )

    def peers(self) -> list[PeerStats]:
        return [
            PeerStats(
                row["address"],
                row["last_seen_at"],
                row["received"],
                row["refused"],
                row["last_sent_at"],
                row["sent"],
                row["send_failures"],
                row["last_error"],
            )
            for row in self.db.query("SELECT * FROM peers ORDER BY address")
        ]

    @staticmethod
    def _peer_row(connection: UnitOfWork, peer: str) -> None:
        connection.execute("INSERT INTO peers (address) VALUES (?) ON CONFLICT (address) DO NOTHING", (peer,))
