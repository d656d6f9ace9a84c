"""Per-exchange context: a request id (X-Request-ID in and out), one structured access-log line, HTTP
metrics, and the last-resort 500 answer in the common error shape."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oracle.api.errors import error_response
from oracle.api.request_id import REQUEST_ID_HEADER, request_id_set

_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger("oracle.api.access")
log = logging.getLogger(__name__)

# (method, route template, status, seconds) -> None
Observer = Callable[[str, str, int, float], None]


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTED_ID.match(text) else None
    return None


class RequestContextMiddleware:
    """Outermost middleware of the app (pure ASGI, so it adds no per-request task)."""

    def __init__(self, app: ASGIApp, observe: Observer | None = None) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        with request_id_set(request_id):
            await self._answer(scope, receive, send, request_id)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            await error_response(500, "internal_error", "internal error; quote the request id when reporting it")(
                scope, receive, send_with_id
            )
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            access_log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                seconds * 1000,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status_code": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )
            if self.observe is not None:
                self.observe(scope["method"], template, status, seconds)
