"""One error body everywhere (our errors, FastAPI's and Starlette's, unhandled ones), request ids, CORS."""

import pytest

ERROR_KEYS = {"status", "code", "message", "request_id", "details"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS
    assert (error["status"], error["code"]) == (status, code)
    assert error["request_id"] == response.headers["X-Request-ID"]
    return error


def test_unknown_route_is_404(client):
    error = assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert error["message"] == "Not Found"


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/v1/models")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET"


def test_malformed_json_is_422(client, keys):
    response = client.post(
        "/v1/predictions", content=b"{not json", headers={**keys.predict, "Content-Type": "application/json"}
    )
    error = assert_error(response, 422, "invalid_request")
    assert error["details"][0]["field"].startswith("body")


def test_unhandled_failure_is_500_without_internals(client, services):
    services.store.db.close()
    response = client.get("/v1/requests")
    error = assert_error(response, 500, "internal_error")
    assert "database" not in error["message"].lower() and error["details"] == []


def test_request_id_is_echoed_when_given_and_made_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b"}).headers["X-Request-ID"] == "trace-42.a:b"
    made = client.get("/healthz", headers={"X-Request-ID": "not acceptable " * 20}).headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_anonymous_callers_are_rate_limited_per_address(make_client):
    client = make_client(anonymous_rate_limit=3)
    answers = [client.get("/v1/models") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert_error(answers[3], 429, "rate_limited")
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert client.get("/healthz").status_code == 200  # probes are never limited


@pytest.fixture
def cors_client(make_client):
    return make_client(cors_origins=("https://app.example",))


def test_cors_preflight_from_an_allowed_origin(cors_client):
    response = cors_client.options(
        "/v1/predictions",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-api-key" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_preflight_from_another_origin_is_refused_in_the_error_shape(cors_client):
    response = cors_client.options(
        "/v1/predictions", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert assert_error(response, 400, "cors_refused")["message"] == "Disallowed CORS origin"


def test_cors_headers_on_answers_to_allowed_origins_only(cors_client, client):
    allowed = cors_client.get("/v1/models", headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-request-id" in allowed.headers["Access-Control-Expose-Headers"].lower()
    assert (
        "Access-Control-Allow-Origin"
        not in cors_client.get("/v1/models", headers={"Origin": "https://x.example"}).headers
    )
    assert (
        "Access-Control-Allow-Origin" not in client.get("/v1/models", headers={"Origin": "https://app.example"}).headers
    )


def test_openapi_documents_the_error_shape_and_the_key_header(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["APIKeyHeader"]["description"],
    }
    predict = spec["paths"]["/v1/predictions"]["post"]
    for status in ("401", "403", "404", "422", "429", "503"):
        assert predict["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert all(path.startswith("/v1/") or path in {"/healthz", "/readyz", "/metrics"} for path in spec["paths"])
    assert client.get("/docs").status_code == 200
