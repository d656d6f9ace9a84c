"""/v1/api-keys and `oracle api-keys`: keys stored as sha256 only, shown once, revocable, admin-only."""

import hashlib
import sqlite3

import pytest
from typer.testing import CliRunner

from oracle.cli import app
from tests.oracle.api.conftest import key_header


def create(client, headers, **body):
    return client.post(
        "/v1/api-keys",
        json={"name": "frontend", "scopes": ["predict"], "rate_limit_per_minute": 60, **body},
        headers=headers,
    )


def test_admin_creates_a_key_shown_once_and_stored_hashed(client, keys, database):
    response = create(client, keys.admin)
    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["key"]
    assert secret.startswith("oak_") and created["prefix"] == secret[:12]
    assert (created["scopes"], created["rate_limit_per_minute"], created["active"]) == (["predict"], 60, True)
    rows = (
        sqlite3.connect(database.path)
        .execute("SELECT key_hash, prefix FROM api_keys WHERE key_id = ?", (created["id"],))
        .fetchall()
    )
    assert rows == [(hashlib.sha256(secret.encode()).digest(), secret[:12])]
    assert secret.encode() not in database.path.read_bytes()
    listed = client.get("/v1/api-keys", headers=keys.admin).json()["items"]
    assert created["id"] in [k["id"] for k in listed]
    assert all("key" not in k for k in listed) and secret not in str(listed)
    assert client.get("/v1/models", headers=key_header(secret)).status_code == 200


def test_the_new_key_works_for_its_scope_only(client, keys):
    secret = create(client, keys.admin, scopes=["webhooks"]).json()["key"]
    assert client.get("/v1/webhooks", headers=key_header(secret)).status_code == 200
    assert client.get("/v1/api-keys", headers=key_header(secret)).status_code == 403


def test_revoked_key_is_refused_at_once(client, keys):
    created = create(client, keys.admin, scopes=["webhooks"]).json()
    assert client.delete(f"/v1/api-keys/{created['id']}", headers=keys.admin).status_code == 204
    response = client.get("/v1/webhooks", headers=key_header(created["key"]))
    assert response.status_code == 401
    [listed] = [k for k in client.get("/v1/api-keys", headers=keys.admin).json()["items"] if k["id"] == created["id"]]
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert client.delete(f"/v1/api-keys/{created['id']}", headers=keys.admin).status_code == 404


def test_a_key_cannot_revoke_itself(client, services):
    key, secret = services.api_keys.create("root", ["admin"], 100)
    response = client.delete(f"/v1/api-keys/{key.key_id}", headers=key_header(secret))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": []}, "body.scopes"),
        ({"scopes": ["root"]}, "body.scopes[0]"),
        ({"rate_limit_per_minute": 0}, "body.rate_limit_per_minute"),
        ({"name": ""}, "body.name"),
    ],
)
def test_bad_key_requests_are_422(client, keys, body, field):
    response = create(client, keys.admin, **body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


def test_key_routes_are_for_admins(client, keys):
    assert client.get("/v1/api-keys").status_code == 401
    assert create(client, keys.predict).status_code == 403
    assert client.get("/v1/api-keys", headers=keys.webhooks).status_code == 403
    assert client.delete("/v1/api-keys/1", headers=keys.predict).status_code == 403
    assert client.delete("/v1/api-keys/999", headers=keys.admin).status_code == 404


def test_cli_creates_lists_and_revokes_keys(settings, tmp_path, monkeypatch, services):
    database = tmp_path / "oracle.db"  # the `database` fixture's file, which `services` is open on
    env = {
        "ORACLE_RPC_URL": settings.rpc_url,
        "ORACLE_COORDINATOR": settings.coordinator,
        "ORACLE_DATABASE": str(database),
    }
    runner = CliRunner()
    created = runner.invoke(app, ["api-keys", "create", "ops", "--scope", "admin", "--scope", "predict"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("oak_")
    key = services.api_keys.authenticate(secret)
    assert key is not None and key.name == "ops" and sorted(key.scopes) == ["admin", "predict"]
    listed = runner.invoke(app, ["api-keys", "list"], env=env)
    assert listed.exit_code == 0 and "ops" in listed.output
    assert secret[12:20] not in listed.output  # past the shown prefix (the table may wrap a line anywhere)
    assert runner.invoke(app, ["api-keys", "revoke", str(key.key_id)], env=env).exit_code == 0
    assert services.api_keys.authenticate(secret) is None
    again = runner.invoke(app, ["api-keys", "revoke", str(key.key_id)], env=env)
    assert again.exit_code == 1 and f"no active key {key.key_id}" in again.output
