"""Schemathesis (from .venv-schemathesis, made by `make test`) against `oracle api` served by uvicorn: every
operation of the app's own OpenAPI, with valid and invalid inputs, answers without 5xx and as documented."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from oracle.store.api_keys import ApiKeyStore, Scope
from oracle.store.database import Database
from oracle.store.requests import RequestStore
from scripts.node_process import REPO
from scripts.ports import free_port
from tests.oracle.api.conftest import NODE_KEY
from tests.oracle.api.store_helpers import confirm, seen

SCHEMATHESIS = REPO / ".venv-schemathesis" / "bin" / "st"
EXAMPLES_PER_OPERATION = 50


@pytest.fixture(scope="module")
def api_server(web3, served_coordinator, tmp_path_factory):
    """`python -m oracle api` on a free loopback port over a fresh store holding one key with every scope."""
    workdir = tmp_path_factory.mktemp("schemathesis")
    database = workdir / "oracle.db"
    db = Database(database)
    _, key = ApiKeyStore(db).create("schemathesis", list(Scope), rate_limit=1_000_000)
    store = RequestStore(db)
    for n in range(1, 4):  # listed requests, so their bodies are checked against the schema too
        confirm(store, n, 1_000 * n)
    store.add_seen([seen(4)])
    db.close()
    port = free_port()
    env = {
        **os.environ,
        "ORACLE_RPC_URL": web3.provider.endpoint_uri,
        "ORACLE_COORDINATOR": served_coordinator.address,
        "ORACLE_PRIVATE_KEY": "0x" + NODE_KEY.hex(),
        "ORACLE_MODELS_DIR": str(REPO / "models"),
        "ORACLE_MODELS": "credit-risk",
        "ORACLE_DATABASE": str(database),
        "ORACLE_API_PORT": str(port),
        "ORACLE_API_ANONYMOUS_RATE_LIMIT": "0",
        # schemathesis registers webhooks at made-up URLs: nothing may be sent to them
        "ORACLE_API_WEBHOOK_DELIVERY": "false",
        "ORACLE_LOG_JSON": "true",
    }
    log_path = workdir / "api.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "oracle", "api"], cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`oracle api` did not come up:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url, key, log_path
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_oracle_api_serves_docs_and_readiness(api_server):
    url, _, _ = api_server
    assert "swagger" in httpx.get(url + "/docs").text.lower()
    assert httpx.get(url + "/readyz").status_code == 200


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(api_server):
    assert SCHEMATHESIS.exists(), "schemathesis venv missing: `make test` creates it (.venv-schemathesis)"
    url, key, log_path = api_server
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            url + "/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--header",
            f"X-API-Key: {key}",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "6",
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "too_slow,filter_too_much",
        ],
        cwd=log_path.parent,  # schemathesis keeps a cache directory where it runs
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    answers = [json.loads(line) for line in Path(log_path).read_text().splitlines() if line.startswith("{")]
    statuses = [a["status_code"] for a in answers if "status_code" in a]
    assert len(statuses) > 200, output[-2000:]  # it did exercise the API
    assert not [s for s in statuses if s >= 500]
    assert key not in Path(log_path).read_text()
