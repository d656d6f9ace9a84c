"""Webhooks: a URL told (with a signed POST) whenever a confirmed result of a model crosses a threshold."""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from oracle.api.schemas.common import Hex32, Int256, hx
from oracle.store.webhooks import Delivery, Direction, Webhook

DeliveryStateName = Literal["pending", "delivered", "failed"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://alerts.example.org/oracle",
                    "model": "credit-risk",
                    "threshold": 3000,
                    "direction": "above",
                    "description": "PD of 30% or more",
                }
            ]
        },
    )

    url: AnyHttpUrl = Field(description="http(s) URL that receives the POSTs")
    model: str = Field(min_length=1, max_length=200, description="model name, or its 0x model id")
    threshold: Int256 = Field(description="fixed-point, in the model's output scale (credit-risk: basis points)")
    direction: Direction = Field(description="above: value >= threshold; below: value <= threshold")
    description: str = Field("", max_length=500)


class WebhookOut(BaseModel):
    id: int
    url: str
    model: str | None
    model_id: Hex32
    threshold: int
    direction: Direction
    description: str
    created_at: float

    @classmethod
    def of(cls, webhook: Webhook, model_name: str | None) -> WebhookOut:
        return cls(
            id=webhook.webhook_id,
            url=webhook.url,
            model=model_name,
            model_id=hx(webhook.model_id),
            threshold=webhook.threshold,
            direction=webhook.direction,
            description=webhook.description,
            created_at=webhook.created_at,
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="HMAC-SHA256 key of the X-Oracle-Signature header; shown only in this answer, keep it"
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: int
    request_id: Hex32
    state: DeliveryStateName
    attempts: int
    next_attempt_at: float | None = Field(None, description="when a pending delivery is tried next")
    last_status: int | None = Field(None, description="HTTP status of the last answer, if any")
    last_error: str | None = None
    created_at: float
    finished_at: float | None = None
    event: dict[str, Any] = Field(description="the event POSTed (each attempt adds delivery_id, attempt, sent_at)")

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            id=delivery.delivery_id,
            request_id=hx(delivery.request_id),
            state=cast(DeliveryStateName, delivery.state),
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if delivery.state == "pending" else None,
            last_status=delivery.last_status,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            finished_at=delivery.finished_at,
            event=delivery.event,
        )


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
