"""The app factory: routes, error shape, request context, CORS, metrics, and the life of the background
workers that run beside the API in its process (the webhook dispatcher)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from oracle.api.config import ApiConfig
from oracle.api.dependencies import API_KEY_HEADER
from oracle.api.drift_metrics import DriftCollector
from oracle.api.errors import error_response, install_error_handlers
from oracle.api.metrics import ApiMetrics, NodeCollector
from oracle.api.network_services import NetworkApi
from oracle.api.peer_metrics import PeerCollector
from oracle.api.request_context import RequestContextMiddleware
from oracle.api.request_id import REQUEST_ID_HEADER
from oracle.api.routers import api_keys, health, models, observations, predictions, requests, webhooks
from oracle.api.services import ApiServices

DESCRIPTION = """\
The oracle node's HTTP API. Operators watch the node (health, readiness, metrics, requests) and manage
API keys and webhooks; dApp frontends read models and requests and get **pull-mode** signed predictions
to submit on chain themselves (`verifyReport(report, signatures)` or a consumer such as
`LendingPool.borrowWithReport`).

Authentication: routes that sign, register webhooks or manage keys need an `X-API-Key` header with the
right scope (predict, webhooks, admin). A web page uses a publishable key (`pk_...`): pull mode only, from its
allowed origins only, at its own rate; admin keys are refused from browsers (requests with an Origin header).
Every error answer has the same body: `{"error": {status, code, message, request_id, details}}`;
`X-Request-ID` is echoed (or made) on every answer.
"""


class _Cors(CORSMiddleware):
    """Starlette's CORS middleware, with a refused preflight answered in the common error shape, and the origins
    of active publishable keys allowed besides the configured ones (a key's page can then call the API)."""

    def __init__(self, app: ASGIApp, /, extra_origins: Callable[[], frozenset[str]], **options: Any) -> None:
        super().__init__(app, **options)
        self._extra_origins = extra_origins

    def is_allowed_origin(self, origin: str) -> bool:
        return super().is_allowed_origin(origin) or origin in self._extra_origins()

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return error_response(response.status_code, "cors_refused", bytes(response.body).decode(), headers=kept)


class _Cached:
    """A value read at most once per `seconds` (the publishable keys' origins, asked on each CORS request)."""

    def __init__(self, read: Callable[[], frozenset[str]], seconds: float = 5.0) -> None:
        self._read, self._seconds = read, seconds
        self._value: frozenset[str] = frozenset()
        self._at = -float("inf")

    def __call__(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._at >= self._seconds:
            self._value, self._at = self._read(), now
        return self._value


def _version() -> str:
    try:
        return version("ai-oracle")
    except PackageNotFoundError:
        return "0"


class BackgroundWorker(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(
    services: ApiServices,
    config: ApiConfig | None = None,
    network: NetworkApi | None = None,
    workers: Sequence[BackgroundWorker] = (),
) -> FastAPI:
    """`network`: the routes peers use (observations, pull co-signatures) and the quorum for pull reports;
    without it, this API serves a node that answers alone. `workers` start with the app and stop with it."""
    config = config or ApiConfig()
    metrics = ApiMetrics(
        NodeCollector(services.store, services.stats, services.journal, services.model_name, services.chain_head)
    )
    metrics.registry.register(DriftCollector(services.store, services.registry, config.drift_window))
    if network is not None:
        metrics.registry.register(PeerCollector(network.observations))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            for worker in reversed(workers):
                worker.stop()
            if network is not None and network.quorum is not None:
                network.quorum.close()

    app = FastAPI(
        title="AI oracle node API",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.config = config
    app.state.metrics = metrics
    app.state.network = network
    for router in (health.router, models.router, requests.router, predictions.router, webhooks.router, api_keys.router):
        app.include_router(router)
    if network is not None:
        app.include_router(observations.router)
    install_error_handlers(app)
    app.add_middleware(
        _Cors,
        extra_origins=_Cached(services.api_keys.publishable_origins),
        allow_origins=list(config.cors_origins),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=[API_KEY_HEADER, "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
        max_age=600,
    )
    if config.trusted_proxies:
        # the client's address (rate limits) from X-Forwarded-For / -Proto, only when the peer is one of these
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    app.add_middleware(RequestContextMiddleware, observe=metrics.observe_http)  # added last: outermost
    return app
