"""Structured access logs with the request id, and no secret (API key, webhook secret, node key) in any log."""

import json
import logging

from oracle.logs import JsonFormatter
from oracle.webhooks.dispatcher import DeliveryPolicy, WebhookDispatcher
from tests.oracle.api.conftest import NODE_KEY
from tests.oracle.api.receiver import Receiver
from tests.oracle.api.store_helpers import confirm


def test_access_log_is_one_json_line_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="oracle.api.access"):
        response = client.get("/v1/models/nope", headers={"X-Request-ID": "abc-123"})
    [record] = [r for r in caplog.records if r.name == "oracle.api.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc-123" == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status_code"]) == ("GET", "/v1/models/nope", 404)
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"


def test_no_secret_reaches_the_logs(client, keys, services, held_out_rows, caplog):
    caplog.set_level(logging.DEBUG)
    created_key = client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["predict", "webhooks"]}, headers=keys.admin
    ).json()["key"]
    headers = {"X-API-Key": created_key}
    with Receiver(statuses=[500]) as receiver:
        secret = client.post(
            "/v1/webhooks",
            json={"url": receiver.url, "model": "credit-risk", "threshold": 1, "direction": "above"},
            headers=headers,
        ).json()["secret"]
        confirm(services.store, 1, 5_000)
        WebhookDispatcher(
            services.webhooks, services.model_name, DeliveryPolicy(backoff_seconds=0.001, allow_private=True)
        ).tick()
    features, _ = held_out_rows[0]
    subject = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    client.post(
        "/v1/predictions",
        json={"model": "credit-risk", "features": features, "subject": subject, "consumer": subject},
        headers=headers,
    )
    client.post(
        "/v1/predictions",
        json={"model": "credit-risk", "features": features, "subject": "bad", "consumer": subject},
        headers=headers,
    )

    assert len(receiver.received) == 1 and any("retrying" in r.getMessage() for r in caplog.records)
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for value in (created_key, secret, NODE_KEY.hex(), *keys.admin.values()):
        assert value not in logged
