"""API keys, managed by admin keys (or `oracle api-keys` on the node's host)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from oracle.store.api_keys import PUBLISHABLE_SCOPES, ApiKey, Scope, check_origin
from oracle.store.database import StoreError


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "lending frontend", "scopes": ["predict"], "rate_limit_per_minute": 600}]
        },
    )

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, description="predict, webhooks, admin (admin includes the others)")
    rate_limit_per_minute: int = Field(600, ge=1, le=1_000_000)
    origins: list[str] = Field(
        [],
        max_length=20,
        description="page origins (scheme://host[:port]) of a publishable key (pk_...): it then works only from "
        "those pages, with the predict scope only",
    )

    @field_validator("origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        try:
            return [check_origin(origin.rstrip("/")) for origin in value]
        except StoreError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _publishable_scope(self) -> ApiKeyCreate:
        if self.origins and set(self.scopes) - PUBLISHABLE_SCOPES:
            raise ValueError("a publishable key (with origins) has the predict scope only")
        return self


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    scopes: list[Scope]
    rate_limit_per_minute: int
    created_at: float
    revoked_at: float | None = None
    active: bool
    publishable: bool = Field(False, description="a pk_ key, usable only from its origins")
    origins: list[str] = []

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.key_id,
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(key.scopes),
            rate_limit_per_minute=key.rate_limit,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            active=key.active,
            publishable=key.publishable,
            origins=sorted(key.origins),
        )


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="send it as the X-API-Key header; shown only in this answer (stored hashed)")


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]
