"""/v1/models: the served model with its schema, hashes, registration and held-out metrics; by name or id."""

import pytest

from tests.oracle.api.conftest import CREDIT_RISK, FEE_WEI


def test_list_names_each_model_with_its_hashes(client, credit_model):
    response = client.get("/v1/models")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["name"] == "credit-risk"
    assert item["model_id"] == "0x" + CREDIT_RISK.hex()
    assert item["served"] is True and item["refused_reason"] is None
    assert item["artifact_hash"] == "0x" + credit_model.artifact_hash.hex()
    assert item["schema_hash"] == "0x" + credit_model.schema_hash.hex()
    assert item["registration"] == {
        "version": 1,
        "artifact_hash": "0x" + credit_model.artifact_hash.hex(),
        "schema_hash": "0x" + credit_model.schema_hash.hex(),
        "fee_wei": str(FEE_WEI),
        "gas_price_wei": "0",
        "max_callback_gas_limit": 2_500_000,
        "active": True,
    }


@pytest.mark.parametrize("ref", ["credit-risk", "0x" + CREDIT_RISK.hex(), "0x" + CREDIT_RISK.hex().upper()])
def test_one_model_by_name_or_id_has_schema_and_metrics(client, credit_model, ref):
    response = client.get(f"/v1/models/{ref}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "credit-risk"
    assert [f["name"] for f in body["features"]] == credit_model.schema.feature_names
    term = next(f for f in body["features"] if f["name"] == "term_months")
    assert (term["kind"], term["scale"], term["min"], term["max"]) == ("numeric", 1, 6.0, 72.0)
    home = next(f for f in body["features"] if f["name"] == "home")
    assert home["categories"][1] == {"code": 1, "label": "rent"}
    assert body["output"]["scale"] == 10_000
    assert body["metrics"]["roc_auc"] == pytest.approx(credit_model.report["held_out"]["roc_auc"])
    assert body["libraries"]["scikit-learn"] == credit_model.report["libraries"]["scikit-learn"]


@pytest.mark.parametrize("ref", ["no-such-model", "0x" + "00" * 32, "0x1234"])
def test_unknown_model_is_404_in_the_error_shape(client, ref):
    response = client.get(f"/v1/models/{ref}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert error["request_id"] == response.headers["X-Request-ID"]
