"""Webhooks and their deliveries: which confirmed results cross a webhook's threshold, and each POST's state.

A delivery row is made once per (webhook, request), so a result is announced at most once per webhook
even when it is read again, and its state survives restarts: pending -> delivered | failed.
"""

from __future__ import annotations

import builtins
import json
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from oracle.store.database import Engine
from oracle.store.requests import State, StoredRequest
from oracle.store.unit_of_work import Row

SECRET_PREFIX = "whsec_"


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at `next_attempt_at`
    DELIVERED = "delivered"
    FAILED = "failed"  # given up


_INT64 = (-(2**63), 2**63 - 1)
# the type a decimal TEXT value is compared as: SQLite's INTEGER saturates at 64 bits, NUMERIC holds an int256
_SKIP_LOCKED = {"sqlite": "", "postgresql": " FOR UPDATE SKIP LOCKED"}
_WHOLE_NUMBER = {"sqlite": "INTEGER", "postgresql": "NUMERIC"}


class Direction(StrEnum):
    ABOVE = "above"  # value >= threshold
    BELOW = "below"  # value <= threshold

    def crossed(self, value: int, threshold: int) -> bool:
        return value >= threshold if self is Direction.ABOVE else value <= threshold


@dataclass(frozen=True)
class Webhook:
    webhook_id: int
    url: str
    model_id: bytes
    threshold: int
    direction: Direction
    description: str
    owner_key_id: int | None
    scanned_until: float
    created_at: float
    secret: str = field(repr=False)

    @classmethod
    def from_row(cls, row: Row) -> Webhook:
        return cls(
            webhook_id=row["webhook_id"],
            url=row["url"],
            model_id=bytes(row["model_id"]),
            threshold=int(row["threshold"]),
            direction=Direction(row["direction"]),
            description=row["description"],
            owner_key_id=row["owner_key_id"],
            scanned_until=row["scanned_until"],
            created_at=row["created_at"],
            secret=row["secret"],
        )


@dataclass(frozen=True)
class Delivery:
    delivery_id: int
    webhook_id: int
    request_id: bytes
    event: dict[str, Any]
    state: DeliveryState
    attempts: int
    next_attempt_at: float
    last_status: int | None
    last_error: str | None
    created_at: float
    finished_at: float | None

    @classmethod
    def from_row(cls, row: Row) -> Delivery:
        return cls(
            delivery_id=row["delivery_id"],
            webhook_id=row["webhook_id"],
            request_id=bytes(row["request_id"]),
            event=json.loads(row["event"]),
            state=DeliveryState(row["state"]),
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_status=row["last_status"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            finished_at=row["finished_at"],
        )


class WebhookStore:
    """All SQL for the `webhooks` and `webhook_deliveries` tables, and the scan of results crossing them."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    # ------------------------------------------------------------------ webhooks
    def create(
        self,
        url: str,
        model_id: bytes,
        threshold: int,
        direction: Direction,
        description: str = "",
        owner_key_id: int | None = None,
    ) -> Webhook:
        """Registers a webhook with a new random secret; results settled from now on are checked."""
        now = time.time()
        with self._db.transaction() as connection:
            webhook_id = connection.execute(
                "INSERT INTO webhooks (url, model_id, threshold, direction, secret, description, owner_key_id,"
                " scanned_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING webhook_id",
                (
                    url,
                    model_id,
                    str(threshold),
                    Direction(direction).value,
                    SECRET_PREFIX + secrets.token_urlsafe(32),
                    description,
                    owner_key_id,
                    now,
                    now,
                ),
            ).fetchone()[0]
        webhook = self.get(webhook_id)
        assert webhook is not None
        return webhook

    def get(self, webhook_id: int) -> Webhook | None:
        rows = self._db.query("SELECT * FROM webhooks WHERE webhook_id = ?", (webhook_id,))
        return Webhook.from_row(rows[0]) if rows else None

    def list(self, owner_key_id: int | None = None) -> list[Webhook]:
        """Every webhook, or those registered with one key."""
        if owner_key_id is None:
            rows = self._db.query("SELECT * FROM webhooks ORDER BY webhook_id")
        else:
            rows = self._db.query("SELECT * FROM webhooks WHERE owner_key_id = ? ORDER BY webhook_id", (owner_key_id,))
        return [Webhook.from_row(row) for row in rows]

    def delete(self, webhook_id: int) -> bool:
        """Removes a webhook and its deliveries (pending ones are never sent)."""
        with self._db.transaction() as connection:
            return connection.execute("DELETE FROM webhooks WHERE webhook_id = ?", (webhook_id,)).rowcount == 1

    # ------------------------------------------------------------------ scan
    def crossing_results(self, webhook: Webhook, settled_from: float, limit: int) -> builtins.list[StoredRequest]:
        """Confirmed OK results of the webhook's model settled at or after `settled_from` that cross its
        threshold and have no delivery yet, oldest first. SQLite compares the values as 64-bit integers
        (saturating), so the threshold is clamped into that range and each row is checked exactly here."""
        operator = ">=" if webhook.direction is Direction.ABOVE else "<="
        clamped = min(max(webhook.threshold, _INT64[0]), _INT64[1])
        rows = self._db.query(
            "SELECT r.* FROM requests r WHERE r.model_id = ? AND r.settled_at >= ? AND r.state = ?"
            f" AND r.status = 0 AND CAST(r.value AS {_WHOLE_NUMBER[self._db.engine]}) {operator} ?"
            " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = ? AND d.request_id = r.request_id)"
            " ORDER BY r.settled_at LIMIT ?",
            (webhook.model_id, settled_from, State.CONFIRMED.value, clamped, webhook.webhook_id, limit),
        )
        results = [StoredRequest.from_row(row) for row in rows]
        return [r for r in results if webhook.direction.crossed(int(r.value or 0), webhook.threshold)]

    def enqueue(
        self, webhook_id: int, events: builtins.list[tuple[bytes, dict[str, Any]]], scanned_until: float, now: float
    ) -> int:
        """Adds a pending delivery, due at `now`, per (request id, event) not already known, and moves the
        webhook's scan mark forward, in one transaction; returns how many deliveries were added."""
        with self._db.transaction() as connection:
            before = connection.total_changes
            connection.executemany(
                "INSERT INTO webhook_deliveries (webhook_id, request_id, event, state, next_attempt_at,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, request_id) DO NOTHING",
                [
                    (webhook_id, request_id, json.dumps(event), DeliveryState.PENDING.value, now, now)
                    for request_id, event in events
                ],
            )
            added = connection.total_changes - before
            connection.execute(
                "UPDATE webhooks SET scanned_until = CASE WHEN scanned_until < ? THEN ? ELSE scanned_until END"
                " WHERE webhook_id = ?",
                (scanned_until, scanned_until, webhook_id),
            )
        return added

    # ------------------------------------------------------------------ deliveries
    def deliveries(self, webhook_id: int, limit: int = 50, offset: int = 0) -> builtins.list[Delivery]:
        rows = self._db.query(
            "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY delivery_id DESC LIMIT ? OFFSET ?",
            (webhook_id, limit, offset),
        )
        return [Delivery.from_row(row) for row in rows]

    def claim_due(self, now: float, lease_seconds: float, limit: int) -> builtins.list[tuple[Delivery, Webhook]]:
        """Pending deliveries whose time has come, each leased (not due again for `lease_seconds`) and its
        attempt counted before it is sent: a crash mid-send means a retry after the lease, never a loss."""
        with self._db.transaction() as connection:
            # on PostgreSQL, replicas claim in parallel: each skips the rows another is claiming
            rows = connection.execute(
                "SELECT delivery_id FROM webhook_deliveries WHERE state = ? AND next_attempt_at <= ?"
                f" ORDER BY next_attempt_at LIMIT ?{_SKIP_LOCKED[self._db.engine]}",
                (DeliveryState.PENDING.value, now, limit),
            ).fetchall()
            ids = [row[0] for row in rows]
            connection.executemany(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE delivery_id = ?",
                [(now + lease_seconds, delivery_id) for delivery_id in ids],
            )
            claimed = []
            for delivery_id in ids:
                delivery = Delivery.from_row(
                    connection.execute(
                        "SELECT * FROM webhook_deliveries WHERE delivery_id = ?", (delivery_id,)
                    ).fetchone()
                )
                webhook = connection.execute("SELECT * FROM webhooks WHERE webhook_id = ?", (delivery.webhook_id,))
                claimed.append((delivery, Webhook.from_row(webhook.fetchone())))
        return claimed

    def mark_delivered(self, delivery_id: int, status: int) -> None:
        now = time.time()
        self._update(
            "UPDATE webhook_deliveries SET state = ?, last_status = ?, last_error = NULL, finished_at = ?"
            " WHERE delivery_id = ? AND state = ?",
            (DeliveryState.DELIVERED.value, status, now, delivery_id, DeliveryState.PENDING.value),
        )

    def mark_retry(self, delivery_id: int, status: int | None, error: str, next_attempt_at: float) -> None:
        self._update(
            "UPDATE webhook_deliveries SET last_status = ?, last_error = ?, next_attempt_at = ?"
            " WHERE delivery_id = ? AND state = ?",
            (status, error, next_attempt_at, delivery_id, DeliveryState.PENDING.value),
        )

    def mark_failed(self, delivery_id: int, status: int | None, error: str) -> None:
        self._update(
            "UPDATE webhook_deliveries SET state = ?, last_status = ?, last_error = ?, finished_at = ?"
            " WHERE delivery_id = ? AND state = ?",
            (DeliveryState.FAILED.value, status, error, time.time(), delivery_id, DeliveryState.PENDING.value),
        )

    def _update(self, sql: str, parameters: tuple[Any, ...]) -> None:
        with self._db.transaction() as connection:
            connection.execute(sql, parameters)
