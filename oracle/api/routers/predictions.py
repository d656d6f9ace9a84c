"""Pull mode: signed predictions a client submits on chain itself.

The routes are `async`: predicting and signing one report is a few hundred microseconds of CPU, cheaper
done on the event loop than handed to the thread pool and back. Only gathering the peers' signatures
(network I/O) goes to the thread pool. Answers are serialised by pydantic-core straight to bytes, once.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from oracle.api.dependencies import Config, Metrics, OptionalNetwork, PredictKey, Services
from oracle.api.errors import Unprocessable, documented
from oracle.api.network_services import NetworkApi
from oracle.api.schemas.errors import ErrorDetail
from oracle.api.schemas.predictions import (
    BatchPredictionRequest,
    BatchPredictionResponse,
    PredictionRequest,
    PredictionResponse,
)
from oracle.pull import PullQuery, SignedPullReport

router = APIRouter(prefix="/v1/predictions", tags=["predictions"])

ERRORS = documented(401, 403, 404, 422, 429, 503)


@router.post(
    "",
    response_model=PredictionResponse,
    summary="Predict and sign a pull-mode report",
    description="Runs the model on the features and signs a PullReport for `subject`, valid until `validUntil`. "
    "Pass `abi.report` and `abi.signatures` to `verifyReport(report, signatures)` on the coordinator, or to a "
    "consumer that takes them (LendingPool.borrowWithReport). Features outside the model's schema answer 422 "
    "with the schema's reason.",
    responses=ERRORS,
)
async def predict(
    body: PredictionRequest, _: PredictKey, services: Services, metrics: Metrics, network: OptionalNetwork
) -> Response:
    [signed] = await _gathered(network, _sign(services, [body.query()], batch=False))
    return _json(_respond(signed, services, metrics))


@router.post(
    "/batch",
    response_model=BatchPredictionResponse,
    summary="Predict and sign several pull-mode reports at once (all or none)",
    responses=ERRORS,
)
async def predict_batch(
    body: BatchPredictionRequest,
    _: PredictKey,
    services: Services,
    config: Config,
    metrics: Metrics,
    network: OptionalNetwork,
) -> Response:
    if len(body.items) > config.max_batch:
        raise Unprocessable(
            "batch too large",
            [ErrorDetail(field="body.items", reason=f"at most {config.max_batch} items, got {len(body.items)}")],
        )
    signed = await _gathered(network, _sign(services, [item.query() for item in body.items], batch=True))
    return _json(BatchPredictionResponse(items=[_respond(s, services, metrics) for s in signed]))


Answer = TypeVar("Answer", PredictionResponse, BatchPredictionResponse)


def _json(answer: Answer) -> Response:
    """The answer as FastAPI would send it for the route's response_model, without validating it again."""
    return Response(answer.model_dump_json(), media_type="application/json")


async def _gathered(network: NetworkApi | None, signed: list[SignedPullReport]) -> list[SignedPullReport]:
    if network is None or network.quorum is None:
        return signed
    return await run_in_threadpool(_with_quorum, network, signed)


def _sign(services: Services, queries: list[PullQuery], batch: bool) -> list[SignedPullReport]:
    return services.pull.report_many(queries) if batch else [services.pull.report(queries[0])]


def _with_quorum(network: NetworkApi | None, signed: list[SignedPullReport]) -> list[SignedPullReport]:
    """With a threshold above 1, each report gathers the peers' signatures (all of a batch, or none)."""
    if network is None or network.quorum is None:
        return signed
    if len(signed) == 1:
        return [network.quorum.complete(signed[0])]
    return list(network.quorum.map(signed))


def _respond(signed: SignedPullReport, services: Services, metrics: Metrics) -> PredictionResponse:
    metrics.pull_reports.labels(signed.model_name, signed.report.status.name).inc()
    return PredictionResponse.of(signed, services.coordinator_address)
