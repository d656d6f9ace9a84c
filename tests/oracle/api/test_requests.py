"""/v1/requests: the store's requests, newest first, paginated and filtered by status, model and consumer."""

import pytest

from oracle.store.checkpoints import Checkpoint
from oracle.store.transactions import TxAttempt
from oracle.types import Status, model_id
from tests.oracle.api.store_helpers import seen

CONSUMER_A = "0x" + "aa" * 20
CONSUMER_B = "0x" + "bB" * 20
OTHER_MODEL = model_id("delivery-delay")


@pytest.fixture
def stored(services):
    """Five requests: 1-3 for consumer A (1 confirmed through a mined transaction), 4 for B, 5 for another model."""
    store, journal = services.store, services.journal
    store.add_seen(
        [
            seen(1, CONSUMER_A),
            seen(2, CONSUMER_A),
            seen(3, CONSUMER_A),
            seen(4, CONSUMER_B),
            seen(5, CONSUMER_A, OTHER_MODEL),
        ],
        Checkpoint(105, b"\x05" * 32),
    )
    rid = (1).to_bytes(32, "big")
    store.mark_predicted([(rid, Status.OK, 4_321)], inference_ms=2.5)
    store.mark_signed([(rid, b"\x07" * 64)])
    tx_id = journal.record(
        "0x" + "11" * 20, 0, "0x" + "22" * 20, b"\x00", 100_000, TxAttempt(b"\x33" * 32, b"\x01", 10, 1, 104)
    )
    store.mark_sent([rid], tx_id)
    journal.mark_mined(tx_id, b"\x33" * 32, 106, 60_000, 7)
    store.mark_confirmed([rid], 106)
    store.mark_predicted([((2).to_bytes(32, "big"), Status.INVALID_INPUT, 0)])
    return store


def ids(response) -> list[int]:
    return [int(item["request_id"], 16) for item in response.json()["items"]]


def test_list_is_newest_first_with_total(client, stored):
    response = client.get("/v1/requests")
    assert response.status_code == 200
    assert ids(response) == [5, 4, 3, 2, 1]
    assert response.json()["total"] == 5


def test_list_pages_with_limit_and_offset(client, stored):
    page = client.get("/v1/requests", params={"limit": 2, "offset": 2}).json()
    assert [int(i["request_id"], 16) for i in page["items"]] == [3, 2]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "confirmed"}, [1]),
        ({"status": "predicted"}, [2]),
        ({"status": "seen"}, [5, 4, 3]),
        ({"model": "credit-risk"}, [4, 3, 2, 1]),
        ({"model": "0x" + OTHER_MODEL.hex()}, [5]),
        ({"consumer": CONSUMER_B.lower()}, [4]),
        ({"consumer": CONSUMER_A, "status": "seen", "model": "credit-risk"}, [3]),
    ],
)
def test_list_filters(client, stored, params, expected):
    response = client.get("/v1/requests", params=params)
    assert response.status_code == 200, response.text
    assert ids(response) == expected
    assert response.json()["total"] == len(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "query.status"),
        ({"consumer": "0x1234"}, "query.consumer"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"offset": -1}, "query.offset"),
    ],
)
def test_list_rejects_bad_filters_with_422(client, params, field):
    response = client.get("/v1/requests", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [d["field"] for d in error["details"]] == [field]


def test_one_request_shows_its_answer_transaction_and_times(client, stored):
    response = client.get("/v1/requests/0x" + (1).to_bytes(32, "big").hex())
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["model"] == "credit-risk"
    assert body["answer"] == {"status": "OK", "value": 4_321}
    assert body["features"] == [3, 12, 35]
    assert body["transaction"] == {"tx_id": 1, "state": "mined", "hash": "0x" + "33" * 32, "block_number": 106}
    assert body["settled_block"] == 106 and body["sends"] == 1
    assert body["inference_ms"] == 2.5
    assert body["seen_at"] <= body["predicted_at"] <= body["sent_at"] <= body["settled_at"]


def test_one_request_not_in_the_store_is_404(client, stored):
    response = client.get("/v1/requests/0x" + "99" * 32)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_request_id_is_422(client):
    response = client.get("/v1/requests/0x1234")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "path.request_id"
