"""API replicas on one PostgreSQL database: each replica has its own connection pool and shares nothing with
the other but the database, as `oracle api` processes on several hosts do."""

import threading

import pytest
from fastapi.testclient import TestClient

from oracle.api import create_app
from oracle.store.api_keys import Scope
from oracle.store.engines import open_database
from tests.oracle.api.conftest import key_header
from tests.oracle.api.receiver import Receiver
from tests.oracle.api.store_helpers import confirm
from tests.oracle.api.test_webhooks import Clock, dispatcher, register


@pytest.fixture
def replicas(runtime, postgres_url):
    """Two replicas' services on the same PostgreSQL schema."""
    built, databases = [], []
    for _ in range(2):
        database = open_database(postgres_url)
        databases.append(database)
        built.append(runtime.api_services(database))
    yield built
    for database in databases:
        database.close()


def test_a_keys_rate_limit_holds_across_two_replicas(replicas):
    first, second = replicas
    clients = [TestClient(create_app(services), raise_server_exceptions=False) for services in replicas]
    headers = key_header(first.api_keys.create("shared", [Scope.WEBHOOKS], rate_limit=4)[1])
    statuses = [clients[n % 2].get("/v1/webhooks", headers=headers).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert second.api_keys.list()[0].name == "shared"  # keys are shared too


def test_a_webhook_is_delivered_once_when_two_replicas_dispatch_together(replicas):
    first, second = replicas
    client = TestClient(create_app(first), raise_server_exceptions=False)
    headers = key_header(first.api_keys.create("alerts", [Scope.WEBHOOKS], rate_limit=1_000)[1])
    clock = Clock()
    with Receiver() as receiver:
        register(client, headers, url=receiver.url)
        confirm(second.store, 1, 4_200)  # a result one replica reads from the request written through the other
        dispatchers = [dispatcher(services, clock) for services in replicas]
        for _ in range(5):
            start = threading.Barrier(2)

            def tick(hooks, start=start):
                start.wait()
                hooks.tick()

            threads = [threading.Thread(target=tick, args=(hooks,)) for hooks in dispatchers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert len(receiver.received) == 1
    [webhook] = first.webhooks.list()
    [delivery] = second.webhooks.deliveries(webhook.webhook_id)
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
