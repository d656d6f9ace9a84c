"""OracleCoordinator.fulfill: signatures, quorum, commitments, deadlines and callbacks."""

from dataclasses import replace

import brownie
import pytest

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner
from oracle.types import Status, input_hash
from tests.contracts.reports import unsorted_report
from tests.helpers import (
    ARTIFACT_HASH,
    CALLBACK_GAS,
    FEATURES,
    FEE_WEI,
    MODEL_ID,
    SCHEMA_HASH,
    after_deadline,
    custom_error,
    hx,
    plain,
    request_prediction,
    signed_report,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
INT256_MIN, INT256_MAX = -(2**255), 2**255 - 1


def test_fulfill_delivers_value_and_emits_event(coordinator, consumer, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [4_321])

    tx = coordinator.fulfill(report, signatures, {"from": relayer})

    assert tx.events["PredictionFulfilled"]["requestId"] == hx(request_id)
    assert tx.events["PredictionFulfilled"]["status"] == Status.OK
    assert tx.events["PredictionFulfilled"]["value"] == 4_321
    assert "CallbackFailed" not in tx.events
    assert consumer.lastValue() == 4_321
    assert consumer.lastRequestId() == hx(request_id)
    assert coordinator.commitmentOf(request_id) == "0x" + "00" * 32


def test_fulfill_credits_fee_to_signer(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    assert coordinator.balanceOf(oracle_signers[0].address) == FEE_WEI
    assert coordinator.balanceOf(relayer) == 0


def test_fulfill_delivers_invalid_input_status(coordinator, consumer, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [0], Status.INVALID_INPUT)
    tx = coordinator.fulfill(report, signatures, {"from": relayer})
    assert tx.events["PredictionFulfilled"]["status"] == Status.INVALID_INPUT
    assert consumer.lastStatus() == Status.INVALID_INPUT


def test_fulfill_reverts_on_replay_of_same_report(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [7])
    coordinator.fulfill(report, signatures, {"from": relayer})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownRequest", request_id)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_request_unknown(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    unknown_id = bytes(31) + b"\x01"
    report, signatures = signed_report(oracle_signers[:1], unknown_id, request, [7])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownRequest", unknown_id)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_signed_for_another_chain(coordinator, pending, signer_accounts, relayer):
    request_id, request = pending
    foreign = ObservationSigner(signer_accounts[0], CoordinatorDomain(1, coordinator.address))
    report, signatures = signed_report([foreign], request_id, request, [7])
    with brownie.reverts(revert_pattern="OracleCoordinatorUnknownSigner: 0x[0-9a-fA-F]{40}"):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_signed_for_another_coordinator(coordinator, pending, signer_accounts, relayer, chain):
    request_id, request = pending
    other = ObservationSigner(signer_accounts[0], CoordinatorDomain(chain.id, "0x" + "ab" * 20))
    report, signatures = signed_report([other], request_id, request, [7])
    with brownie.reverts(revert_pattern="OracleCoordinatorUnknownSigner: 0x[0-9a-fA-F]{40}"):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_signer_unknown(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    stranger = oracle_signers[4]
    report, signatures = signed_report([stranger], request_id, request, [7])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", stranger.address)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_signer_removed_after_request(coordinator, pending, oracle_signers, owner, relayer):
    request_id, request = pending
    coordinator.addSigner(oracle_signers[1].address, {"from": owner})
    coordinator.removeSigner(oracle_signers[0].address, {"from": owner})
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [7])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", oracle_signers[0].address)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_same_signer_signs_twice(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    twice = [oracle_signers[0], oracle_signers[1], oracle_signers[0]]
    report, signatures = signed_report(twice, request_id, request, [5, 6, 7])
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorDuplicateSigner", oracle_signers[0].address)):
        three_of_five.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_threshold_not_met(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:2], request_id, request, [5, 6])
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorQuorumNotMet", 2, 3)):
        three_of_five.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_without_signatures(coordinator, pending, relayer):
    request_id, request = pending
    report = (request_id, request.as_abi(), Status.OK, [])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorQuorumNotMet", 0, 1)):
        coordinator.fulfill(report, b"", {"from": relayer})


def test_fulfill_reverts_if_signature_count_differs_from_values(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    two_values = (report[0], report[1], report[2], [5, 5])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorSignatureCountMismatch", 2, 1)):
        coordinator.fulfill(two_values, signatures, {"from": relayer})


def test_fulfill_reverts_if_signature_malformed(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    zero_r = bytes(32) + signatures[32:]
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidSignature", 0)):
        coordinator.fulfill(report, zero_r, {"from": relayer})


def test_fulfill_reverts_if_s_in_upper_half(coordinator, pending, oracle_signers, relayer):
    """EIP-2098 cannot even encode most malleable (high-s) twins; the few it can are refused (EIP-2)."""
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    high_s = SECP256K1_N // 2 + 1
    assert high_s < 2**255
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidSignature", 0)):
        coordinator.fulfill(report, signatures[:32] + high_s.to_bytes(32, "big"), {"from": relayer})


def test_fulfill_reverts_if_value_differs_from_signed(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    tampered = (report[0], report[1], report[2], [6])
    with brownie.reverts(revert_pattern="OracleCoordinatorUnknownSigner: 0x[0-9a-fA-F]{40}"):
        coordinator.fulfill(tampered, signatures, {"from": relayer})


def test_fulfill_reverts_if_artifact_hash_is_new_version(coordinator, pending, oracle_signers, owner, relayer):
    """The model is re-versioned after the request; a node serving the new artifact must not answer it."""
    request_id, request = pending
    new_artifact = b"\x77" * 32
    coordinator.updateModel(MODEL_ID, new_artifact, SCHEMA_HASH, {"from": owner})
    report, signatures = signed_report(
        oracle_signers[:1], request_id, replace(request, artifact_hash=new_artifact), [5]
    )
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorCommitmentMismatch", request_id)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_accepts_committed_artifact_after_new_version(coordinator, pending, oracle_signers, owner, relayer):
    request_id, request = pending
    coordinator.updateModel(MODEL_ID, b"\x77" * 32, SCHEMA_HASH, {"from": owner})
    tx = coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [5]), {"from": relayer})
    assert tx.events["PredictionFulfilled"]["value"] == 5
    assert request.artifact_hash == ARTIFACT_HASH


def test_fulfill_reverts_if_input_hash_wrong(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    other_input = replace(request, input_hash=input_hash([f + 1 for f in FEATURES]))
    report, signatures = signed_report(oracle_signers[:1], request_id, other_input, [5])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorCommitmentMismatch", request_id)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_after_deadline(coordinator, pending, oracle_signers, relayer, chain):
    request_id, request = pending
    after_deadline(chain, request.deadline)
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorRequestExpired", request_id, request.deadline)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_if_status_expired(coordinator, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [0], Status.EXPIRED)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidStatus", Status.EXPIRED)):
        coordinator.fulfill(report, signatures, {"from": relayer})


def test_fulfill_reverts_when_paused(coordinator, pending, oracle_signers, owner, relayer):
    request_id, request = pending
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [5]), {"from": relayer})


def test_fulfill_with_three_of_five_delivers_median_and_splits_fee(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    quorum = [oracle_signers[3], oracle_signers[0], oracle_signers[1]]
    report, signatures = signed_report(quorum, request_id, request, [900, 100, 300])
    assert report[3] == [100, 300, 900]  # sorted with their signatures: signer 0's comes first

    tx = three_of_five.fulfill(report, signatures, {"from": relayer})

    assert tx.events["PredictionFulfilled"]["value"] == 300
    share = FEE_WEI // 3
    assert three_of_five.balanceOf(oracle_signers[0].address) == FEE_WEI - 2 * share
    assert three_of_five.balanceOf(oracle_signers[1].address) == share
    assert three_of_five.balanceOf(oracle_signers[3].address) == share


def test_fulfill_reverts_if_values_not_sorted(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = unsorted_report(oracle_signers[:3], request_id, request, [100, 300, 200])
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorValuesNotSorted", 2)):
        three_of_five.fulfill(report, signatures, {"from": relayer})


def test_fulfill_with_even_count_delivers_lower_middle_value(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:4], request_id, request, [40, 10, 30, 20])
    tx = three_of_five.fulfill(report, signatures, {"from": relayer})
    assert tx.events["PredictionFulfilled"]["value"] == 20


def test_fulfill_accepts_equal_values(three_of_five, pending, oracle_signers, relayer):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:3], request_id, request, [7, 7, 7])
    assert three_of_five.fulfill(report, signatures, {"from": relayer}).events["PredictionFulfilled"]["value"] == 7


@pytest.fixture
def three_of_four(coordinator, owner, signer_accounts):
    """Four signers, threshold three: n = 3f + 1 and k = 2f + 1 for f = 1."""
    for account in signer_accounts[1:4]:
        coordinator.addSigner(account.address, {"from": owner})
    coordinator.setThreshold(3, {"from": owner})
    return coordinator


@pytest.mark.parametrize("extreme", [INT256_MIN, INT256_MAX])
@pytest.mark.parametrize("quorum", [(0, 1, 3), (0, 2, 3), (1, 2, 3), (0, 1, 2, 3)])
def test_fulfill_stays_within_honest_values_if_one_of_four_signers_signs_extreme(
    three_of_four, consumer, pending, oracle_signers, relayer, extreme, quorum
):
    """Signer 3 is faulty; whichever quorum including it the relayer picks, the answer is an honest value's."""
    request_id, request = pending
    honest = {0: 1_000, 1: 1_010, 2: 990}
    values = [honest.get(i, extreme) for i in quorum]
    report, signatures = signed_report([oracle_signers[i] for i in quorum], request_id, request, values)

    tx = three_of_four.fulfill(report, signatures, {"from": relayer})

    assert min(honest.values()) <= tx.events["PredictionFulfilled"]["value"] <= max(honest.values())
    assert consumer.lastValue() == tx.events["PredictionFulfilled"]["value"]


def test_fulfill_records_reverting_callback_without_reverting(coordinator, consumer, pending, oracle_signers, relayer):
    request_id, request = pending
    consumer.setBehaviour(1)
    tx = coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [5]), {"from": relayer})
    assert tx.events["PredictionFulfilled"]["value"] == 5
    assert plain(tx.events["CallbackFailed"].values()) == [hx(request_id), request.consumer]
    assert coordinator.commitmentOf(request_id) == "0x" + "00" * 32
    assert coordinator.balanceOf(oracle_signers[0].address) == FEE_WEI


def test_fulfill_records_gas_exhausting_callback_without_reverting(
    coordinator, consumer, pending, oracle_signers, relayer
):
    request_id, request = pending
    consumer.setBehaviour(2)
    tx = coordinator.fulfill(
        *signed_report(oracle_signers[:1], request_id, request, [5]), {"from": relayer, "gas_limit": 1_000_000}
    )
    assert tx.events["CallbackFailed"]["requestId"] == hx(request_id)
    assert consumer.answers() == 0
    assert tx.gas_used < 1_000_000


def test_fulfill_reverts_if_relayer_starves_the_callback(coordinator, pending, oracle_signers, relayer):
    """A relayer cannot make a callback fail on purpose by sending just too little gas."""
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
    with brownie.reverts(
        custom_error(coordinator, "OracleCoordinatorInsufficientGasForCallback", request_id, CALLBACK_GAS)
    ):
        coordinator.fulfill(report, signatures, {"from": relayer, "gas_limit": 150_000})


def test_fulfill_adds_each_fee_to_signer_balances_and_keeps_their_membership(
    three_of_five, consumer, user, chain, oracle_signers, relayer
):
    """A signer's slot is read once per report and written with its balance raised: balances add up over
    reports, and the signer's membership and index (what the duplicate check reads) stay as they were."""
    quorum = [oracle_signers[0], oracle_signers[2], oracle_signers[4]]
    for value in (100, 200):
        request_id, request, _ = request_prediction(consumer, user, chain)
        three_of_five.fulfill(*signed_report(quorum, request_id, request, [value] * 3), {"from": relayer})

    share = FEE_WEI // 3
    assert three_of_five.balanceOf(oracle_signers[0].address) == 2 * (FEE_WEI - 2 * share)
    assert three_of_five.balanceOf(oracle_signers[2].address) == 2 * share
    assert three_of_five.balanceOf(oracle_signers[4].address) == 2 * share
    assert all(three_of_five.isSigner(s.address) for s in oracle_signers)
    request_id, request, _ = request_prediction(consumer, user, chain)
    twice = [oracle_signers[2], oracle_signers[0], oracle_signers[2]]
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorDuplicateSigner", oracle_signers[2].address)):
        three_of_five.fulfill(*signed_report(twice, request_id, request, [1, 2, 3]), {"from": relayer})
