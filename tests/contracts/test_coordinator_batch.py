"""OracleCoordinator.fulfillBatch: stale reports are skipped, invalid ones revert the whole batch."""

import brownie
import pytest

from tests.contracts.reports import unsorted_report
from tests.helpers import after_deadline, custom_error, error_selector, hx, request_prediction, signed_report


@pytest.fixture
def three_pending(consumer, user, chain):
    return [request_prediction(consumer, user, chain)[:2] for _ in range(3)]


def _batch(signers, pending, values):
    reports, signatures = [], []
    for (request_id, request), value in zip(pending, values, strict=True):
        report, packed = signed_report(signers, request_id, request, [value])
        reports.append(report)
        signatures.append(packed)
    return reports, signatures


def test_batch_fulfills_every_report(coordinator, consumer, three_pending, oracle_signers, relayer):
    tx = coordinator.fulfillBatch(*_batch(oracle_signers[:1], three_pending, [10, 20, 30]), {"from": relayer})
    fulfilled = tx.events["PredictionFulfilled"]
    assert [e["value"] for e in fulfilled] == [10, 20, 30]
    assert [e["requestId"] for e in fulfilled] == [hx(rid) for rid, _ in three_pending]
    assert consumer.answers() == 3


def test_batch_skips_report_already_fulfilled(coordinator, three_pending, oracle_signers, relayer):
    reports, signatures = _batch(oracle_signers[:1], three_pending, [10, 20, 30])
    coordinator.fulfill(reports[1], signatures[1], {"from": relayer})

    tx = coordinator.fulfillBatch(reports, signatures, {"from": relayer})

    assert [e["value"] for e in tx.events["PredictionFulfilled"]] == [10, 30]
    skipped = tx.events["ReportSkipped"]
    assert skipped["requestId"] == hx(three_pending[1][0])
    assert skipped["reason"] == error_selector(coordinator, "OracleCoordinatorUnknownRequest")


def test_batch_skips_report_past_deadline(coordinator, consumer, user, oracle_signers, relayer, chain):
    short = request_prediction(consumer, user, chain, ttl_seconds=60)[:2]
    long = request_prediction(consumer, user, chain, ttl_seconds=3_600)[:2]
    after_deadline(chain, short[1].deadline)

    tx = coordinator.fulfillBatch(*_batch(oracle_signers[:1], [short, long], [1, 2]), {"from": relayer})

    assert tx.events["ReportSkipped"]["requestId"] == hx(short[0])
    assert tx.events["ReportSkipped"]["reason"] == error_selector(coordinator, "OracleCoordinatorRequestExpired")
    assert tx.events["PredictionFulfilled"]["requestId"] == hx(long[0])


def test_batch_reverts_whole_batch_on_bad_signature(coordinator, three_pending, oracle_signers, relayer):
    reports, signatures = _batch(oracle_signers[:1], three_pending, [10, 20, 30])
    stranger_report, stranger_sig = signed_report(oracle_signers[4:5], *three_pending[2], [30])
    signatures[2] = stranger_sig
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", oracle_signers[4].address)):
        coordinator.fulfillBatch(reports, signatures, {"from": relayer})
    assert coordinator.commitmentOf(three_pending[0][0]) != "0x" + "00" * 32


def test_batch_reverts_whole_batch_if_values_not_sorted(three_of_five, three_pending, oracle_signers, relayer):
    reports, signatures = [], []
    for (request_id, request), values in zip(three_pending, [[1, 2, 3], [5, 4, 6], [7, 8, 9]], strict=True):
        report, packed = unsorted_report(oracle_signers[:3], request_id, request, values)
        reports.append(report)
        signatures.append(packed)
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorValuesNotSorted", 1)):
        three_of_five.fulfillBatch(reports, signatures, {"from": relayer})
    assert three_of_five.commitmentOf(three_pending[0][0]) != "0x" + "00" * 32


def test_batch_reverts_if_lengths_differ(coordinator, three_pending, oracle_signers, relayer):
    reports, signatures = _batch(oracle_signers[:1], three_pending, [10, 20, 30])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorBatchLengthMismatch", 3, 2)):
        coordinator.fulfillBatch(reports, signatures[:2], {"from": relayer})


def test_batch_reverts_when_paused(coordinator, three_pending, oracle_signers, owner, relayer):
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        coordinator.fulfillBatch(*_batch(oracle_signers[:1], three_pending, [1, 2, 3]), {"from": relayer})
