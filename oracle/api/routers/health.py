"""Liveness, readiness and Prometheus metrics (unversioned: they are for probes and scrapers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from oracle.api.dependencies import Metrics, Services
from oracle.api.errors import NotReady, documented
from oracle.api.schemas.errors import ErrorDetail
from oracle.api.schemas.health import Check, Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:  # async: no thread-pool hop for a constant
    return Health()


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Chain reachable, store writable, models served with the chain's hashes",
    responses=documented(503),
)
def readyz(services: Services) -> Readiness:
    checks = services.readiness.checks()
    failing = [c for c in checks if not c.ok]
    if failing:
        raise NotReady(
            "not ready: " + ", ".join(c.name for c in failing),
            [ErrorDetail(field=c.name, reason=c.detail) for c in failing],
        )
    return Readiness(checks=[Check(name=c.name, ok=c.ok, detail=c.detail) for c in checks])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(registry: Metrics) -> Response:
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
