"""/healthz, /readyz: alive, and ready only with the chain, a writable store and the chain's model hashes."""

import sqlite3
import threading

import httpx
import pytest

from oracle.api import create_app
from oracle.api.readiness import ReadinessProbe
from oracle.api.server import serve_in_thread
from scripts.ports import free_port
from tests.oracle.api.conftest import CREDIT_RISK


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_lists_passing_checks(client, credit_model):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert set(checks) == {"chain", "store", "model:credit-risk"}
    assert all(c["ok"] for c in checks.values())
    assert credit_model.artifact_hash.hex()[:12] in checks["model:credit-risk"]["detail"]


@pytest.mark.usefixtures("fn_isolation")
def test_readyz_is_503_when_the_chain_registers_other_hashes(client, served_coordinator, owner):
    served_coordinator.updateModel(CREDIT_RISK, b"\x11" * 32, b"\x22" * 32, {"from": owner})
    response = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["details"] == [{"field": "model:credit-risk", "reason": "artifact sha256 differs from the chain's v2"}]


@pytest.mark.usefixtures("fn_isolation")
def test_readyz_is_503_when_the_model_is_deactivated(client, served_coordinator, owner):
    served_coordinator.setModelActive(CREDIT_RISK, False, {"from": owner})
    error = client.get("/readyz").json()["error"]
    assert error["details"] == [{"field": "model:credit-risk", "reason": "deactivated on the coordinator"}]


def test_readyz_is_503_when_the_store_is_locked_by_another_writer(client, database):
    blocker = sqlite3.connect(str(database.path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.get("/readyz")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "store"
    assert "locked" in detail["reason"]


def test_readyz_is_503_when_the_chain_does_not_answer(services, make_client, monkeypatch):
    def unreachable():
        raise ConnectionError("no chain")

    monkeypatch.setattr(services.readiness._w3.eth.__class__, "block_number", property(lambda _: unreachable()))
    response = make_client().get("/readyz")
    assert response.status_code == 503
    fields = {d["field"]: d["reason"] for d in response.json()["error"]["details"]}
    assert fields["chain"] == "no answer from the chain (ConnectionError)"
    assert fields["model:credit-risk"] == "registration unknown: the chain does not answer"


def test_healthz_answers_while_every_worker_thread_waits_on_the_chain(services):
    """A hung RPC once held all 40 worker threads (and /healthz behind them): liveness must need none."""
    app = create_app(services)
    inside, release = threading.Semaphore(0), threading.Event()

    def stuck() -> dict:  # a sync route, like those that call the chain
        inside.release()
        release.wait(60)
        return {}

    app.add_api_route("/stuck", stuck)
    port = free_port()
    api = serve_in_thread(app, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    callers = [threading.Thread(target=httpx.get, args=(base + "/stuck",), kwargs={"timeout": 60}) for _ in range(45)]
    try:
        for caller in callers:
            caller.start()
        assert all(inside.acquire(timeout=30) for _ in range(40))  # the thread pool is full
        response = httpx.get(base + "/healthz", timeout=10)
    finally:
        release.set()
        for caller in callers:
            caller.join(30)
        api.should_exit = True
    assert response.status_code == 200 and response.json() == {"status": "ok"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_readyz_answers_from_its_cache_for_a_moment(runtime, services, client, database):
    clock = Clock()
    services.readiness = ReadinessProbe(
        runtime.w3, runtime.coordinator, runtime.registry, database, cache_seconds=1.5, clock=clock
    )
    assert client.get("/readyz").status_code == 200
    blocker = sqlite3.connect(str(database.path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert client.get("/readyz").status_code == 200  # the cached answer: no write, no chain call
        clock.now += 2
        assert client.get("/readyz").status_code == 503  # checked again
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_readyz_is_rate_limited_per_client(make_client):
    client = make_client(anonymous_rate_limit=2)
    assert [client.get("/readyz").status_code for _ in range(3)] == [200, 200, 429]
