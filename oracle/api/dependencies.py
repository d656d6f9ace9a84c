"""Annotated dependencies the routes declare: the services, the caller's API key with a scope, rate limits.

Dependencies that only read memory are `async`: FastAPI runs a sync dependency in its thread pool, a thread
hop per dependency per request. The key lookup reads SQLite (which may wait on a lock), so it stays sync.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from oracle.api.config import ApiConfig
from oracle.api.errors import Forbidden, RateLimited, Unauthorized
from oracle.api.metrics import ApiMetrics
from oracle.api.network_services import NetworkApi
from oracle.api.services import ApiServices
from oracle.store.api_keys import ApiKey, Scope

API_KEY_HEADER = "X-API-Key"

_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="an API key (`oracle api-keys create` or POST /v1/api-keys); scopes: predict, webhooks, admin. "
    "A publishable key (pk_...) works from its allowed page origins only, for pull mode (predict).",
)


# What create_app put in app.state (untyped there): each read names its type once.
async def _services(request: Request) -> ApiServices:
    services: ApiServices = request.app.state.services
    return services


async def _config(request: Request) -> ApiConfig:
    config: ApiConfig = request.app.state.config
    return config


async def _metrics(request: Request) -> ApiMetrics:
    metrics: ApiMetrics = request.app.state.metrics
    return metrics


async def _network(request: Request) -> NetworkApi | None:
    network: NetworkApi | None = request.app.state.network
    return network


Services = Annotated[ApiServices, Depends(_services)]
Config = Annotated[ApiConfig, Depends(_config)]
Metrics = Annotated[ApiMetrics, Depends(_metrics)]
OptionalNetwork = Annotated[NetworkApi | None, Depends(_network)]
Network = Annotated[NetworkApi, Depends(_network)]  # on the routes mounted only with a network


def _authenticated(
    request: Request, services: Services, secret: Annotated[str | None, Security(_api_key_header)]
) -> ApiKey:
    """The caller's active key, after its rate limit: 401 without a valid key, 403 for a publishable key from
    another origin or an admin key from a browser, 429 over the limit."""
    if not secret:
        raise Unauthorized(f"this route needs an API key in the {API_KEY_HEADER} header")
    key = services.api_keys.authenticate(secret)
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    origin = request.headers.get("origin")
    if not key.allows_origin(origin):
        raise Forbidden(f"this publishable key is not allowed from origin {origin or '(none)'}")
    if origin is not None and Scope.ADMIN in key.scopes:
        raise Forbidden("an admin key is refused from a browser page: use it from a server or `oracle api-keys`")
    retry_after = services.limiter.acquire(f"key:{key.key_id}", key.rate_limit)
    if retry_after is not None:
        raise RateLimited(retry_after)
    return key


def _scoped(scope: Scope) -> Callable[[ApiKey], Coroutine[Any, Any, ApiKey]]:
    async def dependency(key: Annotated[ApiKey, Depends(_authenticated)]) -> ApiKey:
        if not key.allows(scope):
            raise Forbidden(f"this key lacks the {scope.value} scope")
        return key

    return dependency


PredictKey = Annotated[ApiKey, Depends(_scoped(Scope.PREDICT))]
WebhooksKey = Annotated[ApiKey, Depends(_scoped(Scope.WEBHOOKS))]
AdminKey = Annotated[ApiKey, Depends(_scoped(Scope.ADMIN))]


async def anonymous_rate_limit(request: Request, services: Services, config: Config) -> None:
    """Per client address on the public read routes."""
    if config.anonymous_rate_limit <= 0:
        return
    client = request.client.host if request.client else "unknown"
    retry_after = services.limiter.acquire(f"ip:{client}", config.anonymous_rate_limit)
    if retry_after is not None:
        raise RateLimited(retry_after)
