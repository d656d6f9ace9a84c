"""POST /v1/predictions and /v1/predictions/batch: the model's value, signed by the node's key for a subject."""

import time

import pytest
from eth_account import Account
from eth_utils import keccak

from oracle.chain.abi import coordinator_abi
from oracle.chain.eip712 import pull_observation_message
from oracle.privacy.commitment import commitment
from oracle.store.api_keys import Scope
from oracle.types import PullReport, Status
from tests.oracle.api.conftest import CREDIT_RISK, key_header

SUBJECT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CONSUMER = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"


def body(features, **extra):
    return {
        "model": "credit-risk",
        "features": list(features),
        "subject": SUBJECT.lower(),
        "consumer": CONSUMER,
        **extra,
    }


def recovered_signer(prediction, domain) -> str:
    report = prediction["report"]
    unsigned = PullReport(
        subject=report["subject"],
        consumer=report["consumer"],
        valid_until=report["validUntil"],
        model_id=bytes.fromhex(report["modelId"][2:]),
        artifact_hash=bytes.fromhex(report["artifactHash"][2:]),
        input_hash=bytes.fromhex(report["inputHash"][2:]),
        status=Status(report["status"]),
        values=tuple(report["values"]),
    )
    raw = bytes.fromhex(prediction["signatures"][2:])
    r, vs = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    signature = r.to_bytes(32, "big") + (vs & ((1 << 255) - 1)).to_bytes(32, "big") + bytes([27 + (vs >> 255)])
    return Account.recover_message(pull_observation_message(domain, unsigned, report["values"][0]), signature=signature)


def chain_now(runtime) -> int:
    """What the next block's timestamp will be about: the wall clock, or the head if the chain runs ahead."""
    return max(int(time.time()), runtime.w3.eth.get_block("latest")["timestamp"])


@pytest.fixture
def domain(runtime):
    return runtime.signer.domain


def test_prediction_is_the_models_value_signed_for_the_subject(
    client, keys, held_out_rows, credit_model, runtime, domain
):
    features, expected_pd = held_out_rows[0]
    response = client.post("/v1/predictions", json=body(features, valid_for_seconds=120), headers=keys.predict)
    assert response.status_code == 200, response.text
    prediction = response.json()
    assert (prediction["status"], prediction["value"]) == ("OK", expected_pd)
    assert prediction["output_scale"] == 10_000
    report = prediction["report"]
    assert report["subject"] == SUBJECT
    assert report["modelId"] == "0x" + CREDIT_RISK.hex()
    assert report["artifactHash"] == "0x" + credit_model.artifact_hash.hex()
    assert report["inputHash"] == "0x" + commitment(bytes.fromhex(prediction["salt"][2:]), features).hex()
    assert report["consumer"] == CONSUMER
    assert report["values"] == [expected_pd]
    assert report["validUntil"] == prediction["valid_until"]
    assert 120 - 5 <= report["validUntil"] - chain_now(runtime) <= 120
    assert recovered_signer(prediction, domain) == runtime.signer.address == prediction["signer"]


def test_abi_object_holds_the_report_tuple_signatures_and_calldata(client, keys, held_out_rows, runtime):
    prediction = client.post("/v1/predictions", json=body(held_out_rows[1][0]), headers=keys.predict).json()
    abi, report = prediction["abi"], prediction["report"]
    assert abi["function"] == "verifyReport((address,address,uint64,bytes32,bytes32,bytes32,uint8,int256[]),bytes)"
    assert abi["report"] == [
        report[k]
        for k in ("subject", "consumer", "validUntil", "modelId", "artifactHash", "inputHash", "status", "values")
    ]
    assert abi["signatures"] == prediction["signatures"] and len(bytes.fromhex(abi["signatures"][2:])) == 64
    assert abi["coordinator"] == runtime.coordinator.address
    selector = "0x" + keccak(text=abi["function"])[:4].hex()
    web3_coordinator = runtime.w3.eth.contract(address=runtime.coordinator.address, abi=coordinator_abi())
    assert abi["calldata"] == web3_coordinator.encode_abi("verifyReport", args=[abi["report"], abi["signatures"]])
    assert abi["calldata"].startswith(selector)


def test_default_validity_applies_without_valid_for_seconds(client, keys, held_out_rows, settings, runtime):
    prediction = client.post("/v1/predictions", json=body(held_out_rows[2][0]), headers=keys.predict).json()
    assert 0 <= settings.api_report_validity - (prediction["valid_until"] - chain_now(runtime)) <= 5


def test_model_can_be_named_by_its_id(client, keys, held_out_rows):
    response = client.post(
        "/v1/predictions", json={**body(held_out_rows[0][0]), "model": "0x" + CREDIT_RISK.hex()}, headers=keys.predict
    )
    assert response.status_code == 200
    assert response.json()["model"] == "credit-risk"


def test_features_outside_the_schema_are_422_with_the_schemas_reason(client, keys, held_out_rows):
    features = list(held_out_rows[0][0])
    features[1] = 99  # term_months in [6, 72]
    response = client.post("/v1/predictions", json=body(features), headers=keys.predict)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"] == [
        {"field": "body.features", "reason": "feature 'term_months': 99 (scale 1) is outside [6.0, 72.0]"}
    ]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"features": [1, 2, 3]}, "body.features", "expected 11 features"),
        ({"valid_for_seconds": 3_601}, "body.valid_for_seconds", "between 1 and 3600 seconds"),
        ({"valid_for_seconds": 0}, "body.valid_for_seconds", "greater than or equal to 1"),
        ({"subject": "0x1234"}, "body.subject", "pattern"),
        ({"subject": "0x70997970c51812dc3a010c7d01b50e0d17dc79C8"}, "body.subject", "checksum"),
        ({"features": [1.5] * 11}, "body.features[0]", "valid integer"),
        ({"extra": 1}, "body.extra", "Extra inputs"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(client, keys, held_out_rows, change, field, reason):
    response = client.post("/v1/predictions", json={**body(held_out_rows[0][0]), **change}, headers=keys.predict)
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert details[0]["field"] == field
    assert reason in details[0]["reason"]


def test_unknown_model_is_404(client, keys, held_out_rows):
    response = client.post("/v1/predictions", json={**body(held_out_rows[0][0]), "model": "nope"}, headers=keys.predict)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no model 'nope' on this node"


def test_without_a_key_is_401(client, held_out_rows):
    response = client.post("/v1/predictions", json=body(held_out_rows[0][0]))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "ApiKey"
    assert response.json()["error"]["code"] == "unauthorized"


def test_with_an_unknown_key_is_401(client, held_out_rows):
    response = client.post("/v1/predictions", json=body(held_out_rows[0][0]), headers=key_header("oak_" + "x" * 43))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "unknown or revoked API key"


def test_with_a_key_lacking_the_predict_scope_is_403(client, keys, held_out_rows):
    response = client.post("/v1/predictions", json=body(held_out_rows[0][0]), headers=keys.webhooks)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "this key lacks the predict scope"


def test_admin_keys_may_predict(client, keys, held_out_rows):
    assert client.post("/v1/predictions", json=body(held_out_rows[0][0]), headers=keys.admin).status_code == 200


def test_over_the_keys_rate_limit_is_429_with_retry_after(client, services, held_out_rows):
    headers = key_header(services.api_keys.create("slow", [Scope.PREDICT], rate_limit=2)[1])
    answers = [client.post("/v1/predictions", json=body(held_out_rows[0][0]), headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 30


def test_batch_answers_each_item_in_order(client, keys, held_out_rows):
    rows = held_out_rows[:5]
    response = client.post(
        "/v1/predictions/batch", json={"items": [body(features) for features, _ in rows]}, headers=keys.predict
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["value"] for i in items] == [expected for _, expected in rows]
    assert [i["report"]["inputHash"] for i in items] == [
        "0x" + commitment(bytes.fromhex(i["salt"][2:]), f).hex() for i, (f, _) in zip(items, rows, strict=True)
    ]
    assert len({i["salt"] for i in items}) == len(items)  # a fresh salt each: equal features do not show


def test_batch_with_invalid_items_is_422_listing_each(client, keys, held_out_rows):
    good = body(held_out_rows[0][0])
    bad_features = body([0] * 11)  # term_months 0 < 6, amount 0 < 100, price 0 < 100
    response = client.post(
        "/v1/predictions/batch",
        json={"items": [good, bad_features, {**good, "valid_for_seconds": 10**6}]},
        headers=keys.predict,
    )
    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert fields == ["body.items[1].features", "body.items[2].valid_for_seconds"]


def test_batch_over_the_configured_size_is_422(make_client, keys, held_out_rows):
    client = make_client(max_batch=2)
    response = client.post(
        "/v1/predictions/batch", json={"items": [body(held_out_rows[0][0])] * 3}, headers=keys.predict
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "body.items", "reason": "at most 2 items, got 3"}]


def test_batch_needs_the_predict_scope(client, keys, held_out_rows):
    items = {"items": [body(held_out_rows[0][0])]}
    assert client.post("/v1/predictions/batch", json=items).status_code == 401
    assert client.post("/v1/predictions/batch", json=items, headers=keys.webhooks).status_code == 403
