"""Push-mode requests from the node's store: where each stands (for frontends and operators)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from oracle.api.dependencies import Services, anonymous_rate_limit
from oracle.api.errors import NotFound, Unprocessable, documented
from oracle.api.schemas.common import HEX32_PATTERN, checksum_address
from oracle.api.schemas.errors import ErrorDetail
from oracle.api.schemas.requests import RequestDetail, RequestPage, RequestSummary, detail, summary_fields
from oracle.store.requests import State
from oracle.types import model_id as model_id_of

router = APIRouter(prefix="/v1/requests", tags=["requests"], dependencies=[Depends(anonymous_rate_limit)])

MAX_PAGE = 200
MAX_OFFSET = 2**31


@router.get("", response_model=RequestPage, summary="Requests, newest first", responses=documented(422, 429))
def list_requests(
    services: Services,
    status: Annotated[State | None, Query(description="only requests in this state")] = None,
    model: Annotated[str | None, Query(description="model name or 0x model id", max_length=200)] = None,
    consumer: Annotated[str | None, Query(description="consumer contract address", max_length=42)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RequestPage:
    # the store holds every request the coordinator saw, also for models this node does not serve
    model_id = None
    if model is not None:
        model_id = bytes.fromhex(model[2:]) if re.fullmatch(HEX32_PATTERN, model) else model_id_of(model)
    if consumer is not None:
        try:
            consumer = checksum_address(consumer)
        except ValueError as error:
            raise Unprocessable("invalid consumer", [ErrorDetail(field="query.consumer", reason=str(error))]) from None
    rows = services.store.search(state=status, model_id=model_id, consumer=consumer, limit=limit, offset=offset)
    total = services.store.count(state=status, model_id=model_id, consumer=consumer)
    items = [RequestSummary(**summary_fields(r, services.model_name(r.request.model_id))) for r in rows]
    return RequestPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{request_id}", response_model=RequestDetail, summary="One request", responses=documented(404, 422, 429))
def get_request(
    request_id: Annotated[str, Path(pattern=HEX32_PATTERN, description="0x + 64 hex digits")],
    services: Services,
) -> RequestDetail:
    stored = services.store.get(bytes.fromhex(request_id[2:]))
    if stored is None:
        raise NotFound(f"request {request_id} is not in this node's store")
    tx = services.journal.get(stored.tx_id) if stored.tx_id is not None else None
    return detail(stored, services.model_name(stored.request.model_id), tx)
