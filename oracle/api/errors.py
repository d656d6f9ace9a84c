"""HTTP errors, raised only in the API layer; the one table of the domain errors routes let through and the
HTTP answer each gets; and the handlers that give every error answer one body shape."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oracle.api.request_id import current_request_id
from oracle.api.schemas.errors import ErrorDetail, ErrorInfo, ErrorResponse
from oracle.network.intake import BadSignature, ObservationRefused, UnknownSigner
from oracle.network.pull_cosign import NotServed
from oracle.network.pull_quorum import QuorumUnavailable
from oracle.pull import InvalidPullQuery, ModelUnavailable, UnknownModel
from oracle.webhooks.targets import UnsafeDestination

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self, message: str, details: Iterable[ErrorDetail] = (), headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "ApiKey"})


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    status, code = 422, "invalid_request"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after_seconds: float) -> None:
        seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(f"rate limit reached; retry in {seconds} s", headers={"Retry-After": str(seconds)})


class Unavailable(ApiError):
    status, code = 503, "unavailable"


class NotReady(ApiError):
    status, code = 503, "not_ready"


def _problems(error: InvalidPullQuery) -> list[ErrorDetail]:
    """Each problem at its place in the body: `body.<field>`, or `body.items[i].<field>` in a batch."""
    return [
        ErrorDetail(field=("body." if p.index is None else f"body.items[{p.index}].") + p.field, reason=p.reason)
        for p in error.problems
    ]


# The domain errors routes let through, and the HTTP error each answers as (an error's nearest listed class decides).
# UnsafeDestination's cause is for the operator's log: the caller only learns that the URL is not allowed.
DOMAIN_ERRORS: dict[type[Exception], Callable[[Any], ApiError]] = {
    UnknownModel: lambda error: NotFound(str(error)),
    ModelUnavailable: lambda error: Unavailable(str(error)),
    InvalidPullQuery: lambda error: Unprocessable(
        "the request does not fit the model's schema or the report rules", _problems(error)
    ),
    QuorumUnavailable: lambda error: Unavailable(f"the network's quorum is not available: {error}"),
    BadSignature: lambda error: Unauthorized(str(error)),
    UnknownSigner: lambda error: Forbidden(str(error)),
    NotServed: lambda error: Conflict(str(error)),
    ObservationRefused: lambda error: Unprocessable(str(error)),
    UnsafeDestination: lambda _: Unprocessable(
        "webhook URL refused",
        [ErrorDetail(field="body.url", reason="not an allowed destination: it must resolve to public addresses")],
    ),
}


def http_error(error: Exception) -> ApiError:
    """The HTTP error a domain error of DOMAIN_ERRORS answers as (its nearest listed class decides)."""
    for kind in type(error).__mro__:
        if kind in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[kind](error)
    raise LookupError(f"{type(error).__name__} has no HTTP answer in DOMAIN_ERRORS")


def error_response(
    status: int,
    code: str,
    message: str,
    details: Sequence[ErrorDetail] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorInfo(
            status=status, code=code, message=message, request_id=current_request_id(), details=list(details)
        )
    )
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def field_path(location: Sequence[str | int]) -> str:
    """('body', 'items', 0, 'features', 3) -> 'body.items[0].features[3]'."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


async def _error_answer(_: Request, error: Exception) -> JSONResponse:
    """The answer to each error the app's handlers take (the last-resort 500 is oracle.api.request_context's)."""
    if isinstance(error, RequestValidationError):
        # FastAPI's 422, in our shape. pydantic's messages name the rule broken, never the value sent.
        details = [
            ErrorDetail(field=field_path(e.get("loc", ())), reason=e.get("msg", "invalid")) for e in error.errors()
        ]
        return error_response(422, "invalid_request", "the request is not valid", details)
    if isinstance(error, StarletteHTTPException):
        status = error.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
        message = error.detail if isinstance(error.detail, str) else phrase
        return error_response(status, CODES.get(status, "error"), message, headers=error.headers)
    answer = error if isinstance(error, ApiError) else http_error(error)
    return error_response(answer.status, answer.code, answer.message, answer.details, answer.headers)


def install_error_handlers(app: FastAPI) -> None:
    handled: list[type[Exception]] = [ApiError, *DOMAIN_ERRORS, StarletteHTTPException, RequestValidationError]
    for kind in handled:
        app.add_exception_handler(kind, _error_answer)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error answers a route gives, all with the one error body."""
    descriptions = {
        401: "no X-API-Key header, or an unknown or revoked key",
        403: "the key lacks the scope this route needs",
        404: "no such resource",
        409: "conflicts with the current state",
        413: "the body is larger than this route takes",
        422: "the request breaks the schema (body, path or query)",
        429: "rate limit reached; see Retry-After",
        503: "not available right now",
    }
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "model": ErrorResponse,
            "description": descriptions.get(status, HTTPStatus(status).phrase),
        }
        if status == 429:
            entry["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
        responses[status] = entry
    return responses
