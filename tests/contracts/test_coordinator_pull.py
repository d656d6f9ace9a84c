"""OracleCoordinator.verifyReport and OracleConsumer._consumePullReport: signed reports a user brings."""

from dataclasses import replace

import brownie
import pytest
from eth_abi import encode
from eth_utils import keccak

from oracle.chain.signer import sign_pull_report
from oracle.errors import ReportError
from oracle.types import PullReport, Status, input_hash
from tests.contracts.reports import unsorted_pull_signatures
from tests.helpers import ARTIFACT_HASH, FEATURES, MODEL_ID, after_deadline, custom_error, plain


@pytest.fixture
def unsigned(user, consumer, chain):
    return PullReport(
        subject=user.address,
        consumer=consumer.address,
        valid_until=chain[-1].timestamp + 300,
        model_id=MODEL_ID,
        artifact_hash=ARTIFACT_HASH,
        input_hash=input_hash(FEATURES),
        status=Status.OK,
        values=(1_234,),
    )


def test_verify_report_returns_status_and_value(coordinator, unsigned, oracle_signers):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    assert plain(coordinator.verifyReport(unsigned.as_abi(), signatures)) == [Status.OK, 1_234]


def test_verify_report_returns_lower_median_of_quorum(three_of_five, unsigned, oracle_signers):
    report = replace(unsigned, values=(10, 20, 30, 40))
    signatures = sign_pull_report(oracle_signers[:4], report)
    assert plain(three_of_five.verifyReport(report.as_abi(), signatures)) == [Status.OK, 20]


def test_verify_report_reverts_if_values_not_sorted(three_of_five, unsigned, oracle_signers):
    report = replace(unsigned, values=(10, 30, 20, 40))
    signatures = unsorted_pull_signatures(oracle_signers[:4], report)
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorValuesNotSorted", 2)):
        three_of_five.verifyReport(report.as_abi(), signatures)


def test_sign_pull_report_raises_if_values_not_sorted(unsigned, oracle_signers):
    with pytest.raises(ReportError, match=r"values\[2\] = 20 is below values\[1\] = 30"):
        sign_pull_report(oracle_signers[:4], replace(unsigned, values=(10, 30, 20, 40)))


def test_verify_report_reverts_after_valid_until(coordinator, unsigned, oracle_signers, chain):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    after_deadline(chain, unsigned.valid_until)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorReportExpired", unsigned.valid_until)):
        coordinator.verifyReport(unsigned.as_abi(), signatures)


def test_verify_report_reverts_if_artifact_not_current(coordinator, unsigned, oracle_signers, owner):
    coordinator.updateModel(MODEL_ID, b"\x99" * 32, b"\x98" * 32, {"from": owner})
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    with brownie.reverts(
        custom_error(coordinator, "OracleCoordinatorArtifactMismatch", MODEL_ID, b"\x99" * 32, ARTIFACT_HASH)
    ):
        coordinator.verifyReport(unsigned.as_abi(), signatures)


def test_verify_report_reverts_if_model_inactive(coordinator, unsigned, oracle_signers, owner):
    coordinator.setModelActive(MODEL_ID, False, {"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorModelInactive", MODEL_ID)):
        coordinator.verifyReport(unsigned.as_abi(), sign_pull_report(oracle_signers[:1], unsigned))


def test_verify_report_reverts_if_model_unknown(coordinator, unsigned, oracle_signers):
    report = replace(unsigned, model_id=b"\x01" * 32)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", b"\x01" * 32)):
        coordinator.verifyReport(report.as_abi(), sign_pull_report(oracle_signers[:1], report))


def test_verify_report_reverts_if_signer_unknown(coordinator, unsigned, oracle_signers):
    signatures = sign_pull_report(oracle_signers[2:3], unsigned)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", oracle_signers[2].address)):
        coordinator.verifyReport(unsigned.as_abi(), signatures)


def test_verify_report_reverts_if_subject_changed(coordinator, unsigned, oracle_signers, relayer):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    stolen = replace(unsigned, subject=relayer.address)
    with brownie.reverts(revert_pattern="OracleCoordinatorUnknownSigner: 0x[0-9a-fA-F]{40}"):
        coordinator.verifyReport(stolen.as_abi(), signatures)


def test_verify_report_reverts_if_status_expired(coordinator, unsigned, oracle_signers):
    report = replace(unsigned, status=Status.EXPIRED)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidStatus", Status.EXPIRED)):
        coordinator.verifyReport(report.as_abi(), sign_pull_report(oracle_signers[:1], report))


def test_verify_report_reverts_when_paused(coordinator, unsigned, oracle_signers, owner):
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        coordinator.verifyReport(unsigned.as_abi(), sign_pull_report(oracle_signers[:1], unsigned))


def report_key(report: PullReport) -> bytes:
    """What a consumer marks used: keccak256 of every PullReport field but the values."""
    fields = report.as_abi()[:-1]
    return keccak(encode(["address", "address", "uint64", "bytes32", "bytes32", "bytes32", "uint8"], list(fields)))


def test_consumer_accepts_pull_report_once(consumer, unsigned, oracle_signers, user):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    consumer.consumePullReport(unsigned.as_abi(), signatures, {"from": user})
    assert consumer.lastValue() == 1_234
    with brownie.reverts(custom_error(consumer, "OracleConsumerReportAlreadyUsed", report_key(unsigned))):
        consumer.consumePullReport(unsigned.as_abi(), signatures, {"from": user})


def test_consumer_refuses_same_report_with_another_signature_subset(
    three_of_five, consumer, unsigned, oracle_signers, user
):
    first = replace(unsigned, values=(10, 20, 30))
    consumer.consumePullReport(first.as_abi(), sign_pull_report(oracle_signers[:3], first), {"from": user})
    # The same answer signed by other signers, with a value one of them moved: another median, same report.
    second = replace(unsigned, values=(20, 30, 90, 95))
    with brownie.reverts(custom_error(consumer, "OracleConsumerReportAlreadyUsed", report_key(unsigned))):
        consumer.consumePullReport(second.as_abi(), sign_pull_report(oracle_signers[1:5], second), {"from": user})


def test_consumer_rejects_pull_report_made_for_another_consumer(
    ConsumerMock, coordinator, consumer, unsigned, oracle_signers, owner, user
):
    other = ConsumerMock.deploy(coordinator, {"from": owner})
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    with brownie.reverts(custom_error(other, "OracleConsumerWrongConsumer", other.address, consumer.address)):
        other.consumePullReport(unsigned.as_abi(), signatures, {"from": user})


def test_verify_report_reverts_if_consumer_changed(coordinator, unsigned, oracle_signers, relayer):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    moved = replace(unsigned, consumer=relayer.address)
    with brownie.reverts(revert_pattern="OracleCoordinatorUnknownSigner: 0x[0-9a-fA-F]{40}"):
        coordinator.verifyReport(moved.as_abi(), signatures)


def test_consumer_rejects_pull_report_made_for_someone_else(consumer, unsigned, oracle_signers, relayer, user):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    with brownie.reverts(custom_error(consumer, "OracleConsumerWrongSubject", relayer.address, user.address)):
        consumer.consumePullReport(unsigned.as_abi(), signatures, {"from": relayer})


def test_consumer_callback_rejects_callers_other_than_coordinator(consumer, user):
    with brownie.reverts(custom_error(consumer, "OracleConsumerOnlyCoordinator", user.address)):
        consumer.onPrediction(b"\x01" * 32, Status.OK, 5, {"from": user})
