"""Webhooks: threshold alerts on confirmed results. A key sees the webhooks it registered; admin keys see all."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from oracle.api.dependencies import Services, WebhooksKey
from oracle.api.errors import NotFound, Unprocessable, documented
from oracle.api.schemas.errors import ErrorDetail
from oracle.api.schemas.webhooks import (
    DeliveryList,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
)
from oracle.store.api_keys import ApiKey, Scope
from oracle.store.webhooks import Webhook
from oracle.webhooks.targets import UnsafeDestination

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=2**62)]


def _visible(services: Services, key: ApiKey, webhook_id: int) -> Webhook:
    webhook = services.webhooks.get(webhook_id)
    if webhook is None or not (key.allows(Scope.ADMIN) or webhook.owner_key_id == key.key_id):
        raise NotFound(f"no webhook {webhook_id}")
    return webhook


@router.post(
    "",
    response_model=WebhookCreated,
    status_code=201,
    summary="Register a webhook; the answer holds its signing secret, shown only once",
    responses=documented(401, 403, 422, 429),
)
def create_webhook(body: WebhookCreate, key: WebhooksKey, services: Services) -> WebhookCreated:
    resolved = services.registry.resolve(body.model)
    if resolved is None:
        raise Unprocessable(
            "unknown model", [ErrorDetail(field="body.model", reason=f"no model {body.model!r} on this node")]
        )
    name, model_id = resolved
    try:
        services.webhook_guard.check(str(body.url))
    except UnsafeDestination as refused:
        log.warning("webhook registration by key %d refused: %s", key.key_id, refused)
        raise
    webhook = services.webhooks.create(
        str(body.url), model_id, body.threshold, body.direction, body.description, key.key_id
    )
    return WebhookCreated(**WebhookOut.of(webhook, name).model_dump(), secret=webhook.secret)


@router.get("", response_model=WebhookList, summary="Webhooks of this key", responses=documented(401, 403, 429))
def list_webhooks(key: WebhooksKey, services: Services) -> WebhookList:
    owner = None if key.allows(Scope.ADMIN) else key.key_id
    return WebhookList(items=[WebhookOut.of(w, services.model_name(w.model_id)) for w in services.webhooks.list(owner)])


@router.get(
    "/{webhook_id}", response_model=WebhookOut, summary="One webhook", responses=documented(401, 403, 404, 422, 429)
)
def get_webhook(webhook_id: WebhookId, key: WebhooksKey, services: Services) -> WebhookOut:
    webhook = _visible(services, key, webhook_id)
    return WebhookOut.of(webhook, services.model_name(webhook.model_id))


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a webhook and its pending deliveries",
    responses=documented(401, 403, 404, 422, 429),
)
def delete_webhook(webhook_id: WebhookId, key: WebhooksKey, services: Services) -> Response:
    _visible(services, key, webhook_id)
    services.webhooks.delete(webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryList,
    summary="Deliveries of a webhook, newest first",
    responses=documented(401, 403, 404, 422, 429),
)
def list_deliveries(
    webhook_id: WebhookId,
    key: WebhooksKey,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> DeliveryList:
    _visible(services, key, webhook_id)
    return DeliveryList(items=[DeliveryOut.of(d) for d in services.webhooks.deliveries(webhook_id, limit, offset)])
