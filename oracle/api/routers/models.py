"""The models this node serves (or refuses), with schemas, hashes and held-out metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from oracle.api.dependencies import Services, anonymous_rate_limit
from oracle.api.errors import NotFound, documented
from oracle.api.schemas.models import ModelDetail, ModelList, ModelSummary, detail_fields, summary_fields
from oracle.types import model_id as model_id_of

router = APIRouter(prefix="/v1/models", tags=["models"], dependencies=[Depends(anonymous_rate_limit)])


@router.get("", response_model=ModelList, summary="Every model of this node", responses=documented(429))
def list_models(services: Services) -> ModelList:
    registry = services.registry
    served = registry.served()
    items = []
    for name in registry.names:
        mid = model_id_of(name)
        items.append(
            ModelSummary(
                **summary_fields(name, mid, served.get(mid), registry.refused.get(name), registry.registration(mid))
            )
        )
    return ModelList(items=items)


@router.get(
    "/{model}",
    response_model=ModelDetail,
    summary="One model: schema, hashes, registration, metrics",
    responses=documented(404, 422, 429),
)
def get_model(
    model: Annotated[str, Path(description="model name, or its 0x model id", examples=["credit-risk"])],
    services: Services,
) -> ModelDetail:
    registry = services.registry
    resolved = registry.resolve(model)
    if resolved is None:
        raise NotFound(f"no model {model!r} on this node")
    name, mid = resolved
    loaded = registry.served().get(mid)
    return ModelDetail(
        **summary_fields(name, mid, loaded, registry.refused.get(name), registry.registration(mid)),
        **detail_fields(loaded),
    )
