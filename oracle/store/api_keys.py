"""API keys: created with a random secret that is shown once; only its sha256 is stored.

A secret key (oak_...) belongs on a server. A publishable key (pk_...) is made to be embedded in a web page:
it carries only the pull scope (predict), works only for requests whose Origin header is one of its origins,
and has its own (low) rate limit, as payment and RPC providers' publishable keys do. Anyone who reads the page
can copy it and send that Origin from a script: the origin check keeps other sites' pages from using it, the
scope and the rate bound what a copy can do."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from oracle.store.database import Engine, StoreError
from oracle.store.unit_of_work import Row

KEY_PREFIX = "oak_"
PUBLISHABLE_PREFIX = "pk_"
PUBLISHABLE_SCOPES = frozenset({"predict"})
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
    publishable: bool = False
    origins: frozenset[str] = frozenset()  # a publishable key's allowed browser origins

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def allows_origin(self, origin: str | None) -> bool:
        """A secret key from anywhere; a publishable key only from one of its origins."""
        return not self.publishable or (origin is not None and origin.rstrip("/") in self.origins)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def from_row(cls, row: Row) -> ApiKey:
        return cls(
            key_id=row["key_id"],
            name=row["name"],
            prefix=row["prefix"],
            scopes=frozenset(Scope(s) for s in row["scopes"].split(",") if s),
            rate_limit=row["rate_limit"],
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
            publishable=bool(row["publishable"]),
            origins=frozenset(row["origins"].split()),
        )


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeyStore:
    """All SQL for the `api_keys` table."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def create(
        self, name: str, scopes: Iterable[Scope], rate_limit: int, *, origins: Iterable[str] = ()
    ) -> tuple[ApiKey, str]:
        """Returns the stored key and its secret, which nothing can show again. With `origins`, the key is
        publishable: pull scope only, usable only from those browser origins (scheme://host[:port])."""
        chosen = sorted({Scope(s) for s in scopes})
        allowed = sorted({origin.rstrip("/") for origin in origins})
        if not chosen:
            raise StoreError("an API key needs at least one scope")
        if rate_limit < 1:
            raise StoreError("an API key's rate limit is at least 1 request per minute")
        if allowed and set(chosen) - PUBLISHABLE_SCOPES:
            raise StoreError("a publishable key has the predict (pull) scope only")
        for origin in allowed:
            check_origin(origin)
        secret = (PUBLISHABLE_PREFIX if allowed else KEY_PREFIX) + secrets.token_urlsafe(32)
        with self._db.transaction() as connection:
            key_id = connection.execute(
                "INSERT INTO api_keys (name, key_hash, prefix, scopes, rate_limit, created_at, publishable, origins)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING key_id",
                (
                    name,
                    key_hash(secret),
                    secret[:SHOWN_PREFIX_LENGTH],
                    ",".join(chosen),
                    rate_limit,
                    time.time(),
                    1 if allowed else 0,
                    " ".join(allowed),
                ),
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

    def publishable_origins(self) -> frozenset[str]:
        """Every origin an active publishable key allows: the API lets those call it cross-origin."""
        rows = self._db.query("SELECT origins FROM api_keys WHERE publishable = 1 AND revoked_at IS NULL")
        return frozenset(origin for row in rows for origin in row["origins"].split())

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


def check_origin(origin: str) -> str:
    """`origin` if it is a browser origin, scheme://host[:port] with no path; else a StoreError saying so."""
    scheme, separator, rest = origin.partition("://")
    if scheme not in {"http", "https"} or not separator or not rest or any(c in rest for c in "/?#@ *"):
        raise StoreError(f"{origin!r} is not an origin: use scheme://host[:port], for example https://app.example")
    return origin
