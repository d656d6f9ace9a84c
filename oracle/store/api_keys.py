"""API keys: created with a random secret that is shown once; only its sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from oracle.store.database import Database, StoreError

KEY_PREFIX = "oak_"
SHOWN_PREFIX_LENGTH = 12


class Scope(StrEnum):
    PREDICT = "predict"
    WEBHOOKS = "webhooks"
    ADMIN = "admin"  # every scope, and managing keys


@dataclass(frozen=True)
class ApiKey:
    key_id: int
    name: str
    prefix: str
    scopes: frozenset[Scope]
    rate_limit: int  # requests per minute
    created_at: float
    revoked_at: float | None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ApiKey:
        return cls(
            key_id=row["key_id"],
            name=row["name"],
            prefix=row["prefix"],
            scopes=frozenset(Scope(s) for s in row["scopes"].split(",") if s),
            rate_limit=row["rate_limit"],
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
        )


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeyStore:
    """All SQL for the `api_keys` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, name: str, scopes: Iterable[Scope], rate_limit: int) -> tuple[ApiKey, str]:
        """Returns the stored key and its secret, which nothing can show again."""
        chosen = sorted({Scope(s) for s in scopes})
        if not chosen:
            raise StoreError("an API key needs at least one scope")
        if rate_limit < 1:
            raise StoreError("an API key's rate limit is at least 1 request per minute")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.transaction() as connection:
            key_id = connection.execute(
                "INSERT INTO api_keys (name, key_hash, prefix, scopes, rate_limit, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " RETURNING key_id",
                (name, key_hash(secret), secret[:SHOWN_PREFIX_LENGTH], ",".join(chosen), rate_limit, time.time()),
            ).fetchone()[0]
        stored = self.get(key_id)
        assert stored is not None
        return stored, secret

    def authenticate(self, secret: str) -> ApiKey | None:
        """The active key whose secret this is, if any."""
        rows = self._db.query("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (key_hash(secret),))
        return ApiKey.from_row(rows[0]) if rows else None

    def get(self, key_id: int) -> ApiKey | None:
        rows = self._db.query("SELECT * FROM api_keys WHERE key_id = ?", (key_id,))
        return ApiKey.from_row(rows[0]) if rows else None

    def list(self) -> list[ApiKey]:
        return [ApiKey.from_row(row) for row in self._db.query("SELECT * FROM api_keys ORDER BY key_id")]

    def revoke(self, key_id: int) -> bool:
        """True if an active key was revoked; revoked keys stay listed."""
        with self._db.transaction() as connection:
            return (
                connection.execute(
                    "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", (time.time(), key_id)
                ).rowcount
                == 1
            )
