"""/v1/webhooks: registration by scope and owner, and signed deliveries of crossing results, with retries."""

import json
import sqlite3
import sys
import threading
import time

import pytest

from oracle.types import Status
from oracle.webhooks.dispatcher import NO_ANSWER, DeliveryPolicy, WebhookDispatcher
from oracle.webhooks.signing import verify
from oracle.webhooks.targets import DestinationGuard
from tests.oracle.api.conftest import CREDIT_RISK
from tests.oracle.api.receiver import Receiver
from tests.oracle.api.store_helpers import confirm


@pytest.fixture(autouse=True)
def example_org_resolves(services):
    """The registration tests' URL names a public address (the test's network has no DNS)."""
    services.webhook_guard = DestinationGuard(
        allow_private=True, resolver=lambda host, port: ["93.184.216.34"] if host == "alerts.example.org" else []
    )


def register(client, headers, url="https://alerts.example.org/oracle", threshold=3_000, direction="above", **extra):
    return client.post(
        "/v1/webhooks",
        json={"url": url, "model": "credit-risk", "threshold": threshold, "direction": direction, **extra},
        headers=headers,
    )


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def dispatcher(services, clock, **policy) -> WebhookDispatcher:
    policy.setdefault("allow_private", True)  # the receivers listen on 127.0.0.1
    return WebhookDispatcher(services.webhooks, services.model_name, DeliveryPolicy(**policy), clock=clock)


# ---------------------------------------------------------------------------------------------- registration


def test_register_returns_the_secret_once(client, keys):
    response = register(client, keys.webhooks, description="high PD")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["model"] == "credit-risk" and created["model_id"] == "0x" + CREDIT_RISK.hex()
    assert (created["threshold"], created["direction"], created["description"]) == (3_000, "above", "high PD")
    listed = client.get("/v1/webhooks", headers=keys.webhooks).json()["items"]
    assert [w["id"] for w in listed] == [created["id"]]
    one = client.get(f"/v1/webhooks/{created['id']}", headers=keys.webhooks).json()
    assert "secret" not in listed[0] and "secret" not in one
    assert created["secret"] not in json.dumps(listed) + json.dumps(one)


def test_keys_see_their_own_webhooks_and_admins_all(client, keys):
    mine = register(client, keys.webhooks).json()["id"]
    theirs = register(client, keys.other_webhooks).json()["id"]
    assert [w["id"] for w in client.get("/v1/webhooks", headers=keys.webhooks).json()["items"]] == [mine]
    assert client.get(f"/v1/webhooks/{theirs}", headers=keys.webhooks).status_code == 404
    assert client.delete(f"/v1/webhooks/{theirs}", headers=keys.webhooks).status_code == 404
    assert [w["id"] for w in client.get("/v1/webhooks", headers=keys.admin).json()["items"]] == [mine, theirs]


def test_delete_removes_the_webhook(client, keys):
    webhook_id = register(client, keys.webhooks).json()["id"]
    assert client.delete(f"/v1/webhooks/{webhook_id}", headers=keys.webhooks).status_code == 204
    response = client.get(f"/v1/webhooks/{webhook_id}", headers=keys.webhooks)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"no webhook {webhook_id}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "nope"}, "body.model"),
        ({"url": "ftp://example.org/x"}, "body.url"),
        ({"url": "not a url"}, "body.url"),
        ({"direction": "sideways"}, "body.direction"),
        ({"threshold": 2**255}, "body.threshold"),
    ],
)
def test_register_rejects_bad_bodies_with_422(client, keys, change, field):
    response = client.post(
        "/v1/webhooks",
        json={"url": "https://a.example/x", "model": "credit-risk", "threshold": 1, "direction": "above", **change},
        headers=keys.webhooks,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


def test_webhook_routes_need_the_webhooks_scope(client, keys):
    assert register(client, {}).status_code == 401
    assert client.get("/v1/webhooks").status_code == 401
    assert register(client, keys.predict).status_code == 403
    assert client.get("/v1/webhooks/1/deliveries", headers=keys.predict).status_code == 403


def test_unknown_or_malformed_webhook_ids(client, keys):
    assert client.get("/v1/webhooks/999", headers=keys.webhooks).status_code == 404
    assert client.get("/v1/webhooks/999/deliveries", headers=keys.webhooks).status_code == 404
    assert client.get("/v1/webhooks/0", headers=keys.webhooks).status_code == 422
    assert client.delete("/v1/webhooks/abc", headers=keys.webhooks).status_code == 422


# ---------------------------------------------------------------------------------------------- delivery


def test_crossing_result_is_posted_once_with_a_valid_hmac(client, keys, services):
    clock = Clock()
    with Receiver() as receiver:
        created = register(client, keys.webhooks, url=receiver.url).json()
        high = confirm(services.store, 1, 4_200)
        confirm(services.store, 2, 1_000)  # below the threshold
        confirm(services.store, 3, 0, Status.INVALID_INPUT)
        confirm(services.store, 4, 9_000, model=b"\x05" * 32)  # another model
        hooks = dispatcher(services, clock)
        assert (hooks.tick().enqueued, hooks.tick().enqueued) == (1, 0)

    [post] = receiver.received
    assert post.path == "/hooks/oracle"
    assert post.headers["X-Oracle-Event"] == "prediction.threshold_crossed"
    assert verify(created["secret"], post.body, post.headers["X-Oracle-Signature"], now=clock.now)
    assert not verify("whsec_other", post.body, post.headers["X-Oracle-Signature"], now=clock.now)
    event = json.loads(post.body)
    assert event["request_id"] == "0x" + high.hex()
    assert (event["model"], event["status"], event["value"]) == ("credit-risk", "OK", 4_200)
    assert (event["threshold"], event["direction"], event["settled_block"]) == (3_000, "above", 201)
    assert (event["attempt"], event["sent_at"]) == (1, int(clock.now))
    assert post.headers["X-Oracle-Timestamp"] == str(event["sent_at"])
    assert post.headers["X-Oracle-Delivery"] == str(event["delivery_id"])

    [delivery] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == ("delivered", 1, 200)
    assert delivery["request_id"] == "0x" + high.hex()


def test_below_webhooks_fire_at_or_under_their_threshold(client, keys, services):
    with Receiver() as receiver:
        register(client, keys.webhooks, url=receiver.url, threshold=500, direction="below")
        confirm(services.store, 1, 500)
        confirm(services.store, 2, 501)
        dispatcher(services, Clock()).tick()
    assert [json.loads(p.body)["value"] for p in receiver.received] == [500]


def test_failed_delivery_is_retried_after_its_backoff(client, keys, services):
    clock = Clock()
    with Receiver(statuses=[500]) as receiver:
        created = register(client, keys.webhooks, url=receiver.url).json()
        confirm(services.store, 1, 7_000)
        hooks = dispatcher(services, clock, backoff_seconds=10)
        assert hooks.tick().retrying == 1
        [pending] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
        assert (pending["state"], pending["attempts"], pending["last_status"], pending["last_error"]) == (
            "pending",
            1,
            500,
            "HTTP 500",
        )
        assert pending["next_attempt_at"] == pytest.approx(clock.now + 10)
        clock.now += 9
        assert hooks.tick().delivered == 0
        clock.now += 2
        assert hooks.tick().delivered == 1

    first, second = receiver.received
    assert [json.loads(p.body)["attempt"] for p in receiver.received] == [1, 2]
    assert json.loads(first.body)["delivery_id"] == json.loads(second.body)["delivery_id"]
    assert all(
        verify(created["secret"], p.body, p.headers["X-Oracle-Signature"], now=clock.now) for p in (first, second)
    )
    [done] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
    assert (done["state"], done["attempts"], done["last_status"], done["last_error"]) == ("delivered", 2, 200, None)


def test_delivery_gives_up_after_max_attempts(client, keys, services):
    clock = Clock()
    with Receiver(statuses=[503, 503, 503]) as receiver:
        created = register(client, keys.webhooks, url=receiver.url).json()
        confirm(services.store, 1, 7_000)
        hooks = dispatcher(services, clock, max_attempts=2, backoff_seconds=1)
        assert hooks.tick().retrying == 1
        clock.now += 5
        assert hooks.tick().failed == 1
        clock.now += 500
        hooks.tick()
    assert len(receiver.received) == 2
    [failed] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
    assert (failed["state"], failed["attempts"], failed["last_status"]) == ("failed", 2, 503)


def test_unreachable_receiver_is_retried(client, keys, services, caplog):
    with Receiver() as receiver:
        url = receiver.url
    created = register(client, keys.webhooks, url=url).json()  # nothing listens there any more
    confirm(services.store, 1, 7_000)
    assert dispatcher(services, Clock(), timeout_seconds=2).tick().retrying == 1
    [pending] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
    assert pending["state"] == "pending" and pending["last_status"] is None
    assert pending["last_error"] == NO_ANSWER  # the cause is the operator's, not the caller's, to read
    assert any("ConnectError" in r.getMessage() for r in caplog.records)


def test_the_apps_background_dispatcher_delivers(make_client, keys, services):
    worker = WebhookDispatcher(
        services.webhooks, services.model_name, DeliveryPolicy(allow_private=True), interval_seconds=0.05
    )
    client = make_client(workers=[worker])
    with Receiver() as receiver:
        register(client, keys.webhooks, url=receiver.url)
        confirm(services.store, 1, 8_000)
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [json.loads(p.body)["value"] for p in receiver.received] == [8_000]


def test_a_dispatcher_waiting_on_the_store_does_not_hold_up_the_api(client, services, database, runtime):
    """The dispatcher's writes wait on a busy store (the node writing) on a connection of its own: the API's
    reads go on meanwhile. They shared one connection, and GET /v1/requests took 23.9 s: here it would wait
    until the dispatcher gave up on the lock (its 30 s busy timeout), so the dispatcher would fail."""
    confirm(services.store, 1, 7_000)
    blocker = sqlite3.connect(str(database.path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the node, mid-write
    outcome = []

    def dispatch():
        try:
            runtime.webhook_dispatcher(database).tick()
            outcome.append("done")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))

    dispatching = threading.Thread(target=dispatch)
    try:
        dispatching.start()
        deadline = time.monotonic() + 30
        while not waiting_in_a_transaction(dispatching) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting_in_a_transaction(dispatching)
        response = client.get("/v1/requests")
    finally:
        blocker.execute("ROLLBACK")  # only once the API has answered
        blocker.close()
        dispatching.join(60)
    assert response.status_code == 200 and len(response.json()["items"]) == 1
    assert outcome == ["done"]  # the node's write ended before the dispatcher's wait did


def waiting_in_a_transaction(thread: threading.Thread) -> bool:
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "transaction" and frame.f_code.co_filename.endswith("database.py"):
            return True
        frame = frame.f_back
    return False
