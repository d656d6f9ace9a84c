"""The id of the HTTP exchange being answered: set by the request-context middleware, read by the error
answers and added to every log record written meanwhile."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
_REQUEST_ID: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return _REQUEST_ID.get()


@contextmanager
def request_id_set(request_id: str) -> Iterator[None]:
    """`request_id` is the current one inside the block."""
    token = _REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        _REQUEST_ID.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds the current request id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _REQUEST_ID.get()
            if request_id != NO_REQUEST:
                record.request_id = request_id
        return True
