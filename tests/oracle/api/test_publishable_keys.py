"""Browsers: publishable keys (pk_) for pull mode from their own page origins only, CORS for local development
origins by default and for publishable keys' origins, admin keys refused from pages."""

import pytest
from typer.testing import CliRunner

from oracle.cli import app
from oracle.store.api_keys import Scope
from oracle.store.database import StoreError
from tests.oracle.api.conftest import key_header
from tests.oracle.api.test_predictions import body

PAGE = "https://app.example"


@pytest.fixture
def publishable(services):
    key, secret = services.api_keys.create("page", [Scope.PREDICT], 1_000, origins=[PAGE + "/"])
    return key, secret


def test_cli_creates_a_publishable_key_for_its_origins_with_the_pull_scope_only(settings, tmp_path, services):
    env = {"ORACLE_RPC_URL": settings.rpc_url, "ORACLE_COORDINATOR": settings.coordinator}
    env["ORACLE_DATABASE"] = str(tmp_path / "oracle.db")  # the file `services` is open on
    runner = CliRunner()
    created = runner.invoke(app, ["api-keys", "create", "page", "--publishable", "--origin", PAGE], env=env)
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    key = services.api_keys.authenticate(secret)
    assert secret.startswith("pk_") and key.publishable
    assert (key.scopes, key.origins, key.rate_limit) == ({Scope.PREDICT}, {PAGE}, 60)
    refused = runner.invoke(app, ["api-keys", "create", "page", "--publishable"], env=env)
    assert refused.exit_code == 1 and "needs at least one --origin" in refused.output


def test_a_publishable_key_signs_pull_reports_for_its_origin_only(client, publishable, held_out_rows):
    _, secret = publishable
    features = held_out_rows[0][0]
    allowed = client.post("/v1/predictions", json=body(features), headers={**key_header(secret), "Origin": PAGE})
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == PAGE  # not configured: allowed for the key
    for headers in ({}, {"Origin": "https://copycat.example"}):
        refused = client.post("/v1/predictions", json=body(features), headers={**key_header(secret), **headers})
        assert refused.status_code == 403 and "publishable key" in refused.json()["error"]["message"]


def test_the_page_origin_of_a_publishable_key_passes_the_cors_preflight(client, publishable):
    preflight = {"Origin": PAGE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}
    assert client.options("/v1/predictions", headers=preflight).status_code == 200
    other = {**preflight, "Origin": "https://copycat.example"}
    assert client.options("/v1/predictions", headers=other).status_code == 400


def test_a_publishable_key_has_no_other_scope_and_its_own_rate(client, services, held_out_rows):
    _, secret = services.api_keys.create("page", [Scope.PREDICT], 1, origins=[PAGE])
    headers = {**key_header(secret), "Origin": PAGE}
    assert client.get("/v1/webhooks", headers=headers).status_code == 403
    assert client.post("/v1/predictions", json=body(held_out_rows[0][0]), headers=headers).status_code == 429
    with pytest.raises(StoreError, match="predict"):
        services.api_keys.create("page", [Scope.WEBHOOKS], 60, origins=[PAGE])
    with pytest.raises(StoreError, match="not an origin"):
        services.api_keys.create("page", [Scope.PREDICT], 60, origins=[PAGE + "/path"])


def test_admin_keys_create_publishable_keys_and_are_refused_from_pages(client, keys):
    created = client.post(
        "/v1/api-keys", json={"name": "page", "scopes": ["predict"], "origins": [PAGE]}, headers=keys.admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("pk_") and created.json()["origins"] == [PAGE]
    wrong = client.post(
        "/v1/api-keys", json={"name": "page", "scopes": ["webhooks"], "origins": [PAGE]}, headers=keys.admin
    )
    assert wrong.status_code == 422
    from_page = client.get("/v1/api-keys", headers={**keys.admin, "Origin": "http://127.0.0.1:5173"})
    assert from_page.status_code == 403 and "admin key" in from_page.json()["error"]["message"]


@pytest.mark.parametrize("origin", ["http://127.0.0.1:5173", "http://localhost:5173"])
def test_public_reads_work_cross_origin_from_local_development_origins_by_default(client, origin):
    response = client.get("/v1/models", headers={"Origin": origin})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == origin
