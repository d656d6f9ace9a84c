"""/metrics: the node's figures from the store, the journal and the chain, and the API's own counters."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from oracle.ml.model import LoadedModel
from oracle.store.checkpoints import Checkpoint
from oracle.store.transactions import TxAttempt
from oracle.types import Status
from tests.oracle.api.conftest import MODEL_DIR
from tests.oracle.api.store_helpers import confirm, request_id, seen
from tests.oracle.ml.committed_model import feature_rows, read_held_out

SENDER, TO = "0x" + "11" * 20, "0x" + "22" * 20


def attempt(n: int, attempt_number: int = 1) -> TxAttempt:
    return TxAttempt(bytes([n, attempt_number]) * 16, b"\x01", 100, 2, 10, attempt_number)


@pytest.fixture
def populated(services, database):
    store, journal = services.store, services.journal
    confirm(store, 1, 4_000)  # end to end 3 s, inference 2 ms (set below)
    confirm(store, 2, 900)  # end to end 40 s, inference 20 ms
    confirm(store, 3, 0, Status.INVALID_INPUT)  # end to end 0.1 s, inference 0.1 ms
    store.add_seen([seen(4), seen(5)], Checkpoint(1, b"\x01" * 32))
    store.mark_predicted([(request_id(5), Status.MODEL_ERROR, 0)], inference_ms=0.3)
    with database.transaction() as connection:
        for n, seconds, inference_ms in ((1, 3.0, 2.0), (2, 40.0, 20.0), (3, 0.1, 0.1)):
            connection.execute(
                "UPDATE requests SET seen_at = 1000.0, settled_at = ?, inference_ms = ? WHERE request_id = ?",
                (1000.0 + seconds, inference_ms, request_id(n)),
            )
    mined = journal.record(SENDER, 0, TO, b"", 100_000, attempt(1))
    journal.mark_mined(mined, attempt(1).tx_hash, 10, 60_000, 7)
    reverted = journal.record(SENDER, 1, TO, b"", 100_000, attempt(2))
    journal.mark_reverted(reverted, attempt(2).tx_hash, 11, 30_000, 10)
    pending = journal.record(SENDER, 2, TO, b"", 100_000, attempt(3))
    journal.add_attempt(pending, attempt(3, 2))
    journal.add_attempt(pending, attempt(3, 3))
    journal.mark_dropped(journal.record(SENDER, 3, TO, b"", 100_000, attempt(4)))


def scrape(client) -> dict[str, dict[tuple, float]]:
    """metric sample name -> {sorted label items: value}"""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_requests_by_state_and_answers_by_status(client, populated):
    samples = scrape(client)
    states = {labels[0][1]: v for labels, v in samples["oracle_requests"].items()}
    assert states == {"seen": 1, "predicted": 1, "signed": 0, "sent": 0, "confirmed": 3, "failed": 0, "expired": 0}
    statuses = {labels[0][1]: v for labels, v in samples["oracle_answers"].items()}
    assert statuses == {"OK": 2, "INVALID_INPUT": 1, "MODEL_ERROR": 1, "EXPIRED": 0}


def test_latency_histograms_come_from_store_timestamps(client, populated):
    samples = scrape(client)
    e2e = samples["oracle_request_end_to_end_seconds_bucket"]
    model = ("model", "credit-risk")
    assert e2e[(("le", "0.25"), model)] == 1
    assert e2e[(("le", "5.0"), model)] == 2
    assert e2e[(("le", "30.0"), model)] == 2
    assert e2e[(("le", "60.0"), model)] == 3
    assert e2e[(("le", "+Inf"), model)] == 3
    assert samples["oracle_request_end_to_end_seconds_count"][(model,)] == 3
    assert samples["oracle_request_end_to_end_seconds_sum"][(model,)] == pytest.approx(43.1)
    inference = samples["oracle_inference_seconds_bucket"]
    assert inference[(("le", "0.0005"), model)] == 2  # 0.1 ms and 0.3 ms
    assert inference[(("le", "0.0025"), model)] == 3
    assert inference[(("le", "0.025"), model)] == 4
    assert samples["oracle_inference_seconds_sum"][(model,)] == pytest.approx(0.0224)


def test_gas_fees_and_replacements_come_from_the_journal(client, populated):
    samples = scrape(client)
    assert samples["oracle_transaction_gas_used_total"][()] == 90_000
    assert samples["oracle_transaction_fees_wei_total"][()] == 60_000 * 7 + 30_000 * 10
    assert samples["oracle_transaction_replacements_total"][()] == 2
    states = {labels[0][1]: v for labels, v in samples["oracle_transactions"].items()}
    assert states == {"pending": 1, "mined": 1, "reverted": 1, "dropped": 1}


def test_chain_head_lag_is_head_minus_the_listener_checkpoint(client, populated, services, runtime):
    services.store.checkpoints.save(Checkpoint(3, b"\x03" * 32))
    samples = scrape(client)
    head = samples["oracle_chain_head_block"][()]
    assert head >= runtime.w3.eth.block_number - 1
    assert samples["oracle_listener_block"][()] == 3
    assert samples["oracle_chain_head_lag_blocks"][()] == head - 3
    assert samples["oracle_chain_up"][()] == 1


def test_chain_down_is_reported_not_fatal(make_client, services, monkeypatch):
    def unreachable():
        raise ConnectionError("down")

    monkeypatch.setattr(services, "chain_head", unreachable)
    samples = scrape(make_client())
    assert samples["oracle_chain_up"][()] == 0
    assert "oracle_chain_head_block" not in samples


def test_api_counts_its_http_answers_and_pull_reports(client, keys, held_out_rows):
    client.get("/v1/models/nope")
    client.get("/v1/models/nope")
    features, _ = held_out_rows[0]
    subject = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    client.post(
        "/v1/predictions",
        json={"model": "credit-risk", "features": features, "subject": subject, "consumer": subject},
        headers=keys.predict,
    )
    samples = scrape(client)
    http = samples["oracle_api_http_requests_total"]
    assert http[(("method", "GET"), ("route", "/v1/models/{model}"), ("status", "404"))] == 2
    assert http[(("method", "POST"), ("route", "/v1/predictions"), ("status", "200"))] == 1
    assert samples["oracle_api_pull_reports_total"][(("model", "credit-risk"), ("status", "OK"))] == 1
    assert (
        samples["oracle_api_http_request_duration_seconds_count"][(("method", "POST"), ("route", "/v1/predictions"))]
        == 1
    )


def test_drift_gauges_show_a_shifted_income_stream(client, services):
    model = LoadedModel.from_dir(MODEL_DIR)
    income = model.schema.feature_names.index("income")
    rows = [
        [min(v * 3, 5000) if i == income else v for i, v in enumerate(row)]
        for row in feature_rows(read_held_out(MODEL_DIR), model.schema)[:200]
    ]
    for n, (row, prediction) in enumerate(zip(rows, model.predict(rows), strict=True), start=1):
        services.store.add_seen([seen(n, features=row)], Checkpoint(100 + n, bytes([n % 256]) * 32))
        services.store.mark_predicted([(request_id(n), prediction.status, prediction.value)], inference_ms=1.0)
    samples = scrape(client)
    psi = {dict(labels)["feature"]: v for labels, v in samples["oracle_model_feature_psi"].items()}
    assert psi["income"] > 0.25 and max(v for k, v in psi.items() if k != "income") < 0.25
    assert samples["oracle_model_drift_window_requests"][(("model", "credit-risk"),)] == 200
    mean = samples["oracle_model_mean_prediction"][(("model", "credit-risk"),)]
    assert mean < samples["oracle_model_training_mean_prediction"][(("model", "credit-risk"),)]
