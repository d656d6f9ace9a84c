"""API fixtures: a coordinator serving the real credit-risk model on anvil, and the API over a fresh store per test."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from oracle.api import create_app
from oracle.api.config import ApiConfig
from oracle.config import load_settings
from oracle.runtime import Runtime
from oracle.store.api_keys import Scope
from oracle.store.database import Database
from scripts.node_process import REPO
from tests.chain_fixtures import SIGNER_KEYS
from tests.model_fixtures import CREDIT_RISK, FEE_WEI, MODEL_DIR  # noqa: F401

NODE_KEY = SIGNER_KEYS[0]


@pytest.fixture(autouse=True)
def isolation(module_isolation):
    """Replaces the chain fixtures' autouse fn_isolation by module isolation: most API tests only read the
    chain, and a snapshot and revert per test cost most of a second on a busy machine. Tests that change
    the chain ask for fn_isolation themselves."""


def node_settings(web3, coordinator, database, **overrides):
    return load_settings(
        environ={},
        rpc_url=web3.provider.endpoint_uri,
        coordinator=coordinator.address,
        private_key="0x" + NODE_KEY.hex(),
        models_dir=REPO / "models",
        models=["credit-risk"],
        database=database,
        **overrides,
    )


@pytest.fixture(scope="module")
def settings(web3, served_coordinator, tmp_path_factory):
    # the webhook tests' receivers listen on 127.0.0.1
    return node_settings(
        web3, served_coordinator, tmp_path_factory.mktemp("api") / "unused.db", api_webhook_allow_private=True
    )


@pytest.fixture(scope="module")
def runtime(settings):
    """Chain connection, coordinator, model registry and signer, built the way `oracle api` builds them."""
    return Runtime(settings)


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path / "oracle.db")
    yield db
    db.close()


@pytest.fixture
def services(runtime, database):
    return runtime.api_services(database)


@pytest.fixture
def make_client(services):
    clients = []

    def make(workers=(), **config) -> TestClient:
        client = TestClient(create_app(services, ApiConfig(**config), workers=workers), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


@dataclass(frozen=True)
class Keys:
    admin: dict
    predict: dict
    webhooks: dict
    other_webhooks: dict


def key_header(secret: str) -> dict:
    return {"X-API-Key": secret}


@pytest.fixture
def keys(services):
    def make(name, *scopes, rate_limit=10_000):
        return key_header(services.api_keys.create(name, scopes, rate_limit)[1])

    return Keys(
        admin=make("operator", Scope.ADMIN),
        predict=make("frontend", Scope.PREDICT),
        webhooks=make("alerts", Scope.WEBHOOKS),
        other_webhooks=make("other alerts", Scope.WEBHOOKS),
    )
