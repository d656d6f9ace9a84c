"""Coordinator, the wrapper the node asks about the OracleCoordinator: against the deployed contract on anvil."""

import pytest
from eth_utils import to_checksum_address

from oracle.chain.abi import coordinator_abi
from oracle.chain.codec import event_topic
from oracle.chain.coordinator import (
    Answer,
    Coordinator,
    CoordinatorReverted,
    ReceiptOutcome,
    Registration,
    SignerSet,
)
from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.pricing import ModelPricing
from oracle.chain.receipts import get_receipt
from oracle.chain.signer import sign_pull_report
from oracle.config import ConfigError
from oracle.types import PullReport, Status, input_hash, model_id
from tests.helpers import (
    ARTIFACT_HASH,
    FEATURES,
    FEE_WEI,
    MODEL_ID,
    SCHEMA_HASH,
    after_deadline,
    request_prediction,
    signed_report,
)

OTHER_HASH = b"\x11" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wrapper(w3, coordinator, clock):
    return Coordinator(w3, coordinator.address, clock=clock)


@pytest.fixture
def web3_coordinator(w3, coordinator):
    """web3's own contract object: the reference the fast calldata is compared with."""
    return w3.eth.contract(address=coordinator.address, abi=coordinator_abi())


@pytest.fixture
def unsigned(user, chain):
    return PullReport(
        user.address,
        user.address,
        chain[-1].timestamp + 300,
        MODEL_ID,
        ARTIFACT_HASH,
        input_hash(FEATURES),
        Status.OK,
        (1_234,),
    )


# ---------------------------------------------------------------------------------------------- construction
def test_construction_refuses_an_address_without_code(w3, user):
    with pytest.raises(ConfigError, match="ORACLE_COORDINATOR: no contract at"):
        Coordinator(w3, user.address)


def test_address_is_checksummed_and_domain_binds_chain_and_address(w3, coordinator, chain):
    wrapper = Coordinator(w3, coordinator.address.lower())
    assert wrapper.address == coordinator.address
    assert wrapper.chain_id == chain.id
    assert wrapper.domain == CoordinatorDomain(chain.id, coordinator.address)
    assert wrapper.errors.name(bytes.fromhex("8da5cb5b")) is None  # owner(), a function, not an error


# ---------------------------------------------------------------------------------------------- models
def test_model_reads_the_registration(wrapper):
    assert wrapper.model(MODEL_ID) == Registration(ARTIFACT_HASH, SCHEMA_HASH, 1, FEE_WEI, True, 2_500_000, 0)


def test_model_is_none_when_never_registered(wrapper):
    assert wrapper.model(model_id("nobody registered this")) is None


def test_registration_problem_names_each_reason(wrapper, coordinator, owner):
    assert wrapper.registration_problem(MODEL_ID, ARTIFACT_HASH, SCHEMA_HASH) is None
    assert wrapper.registration_problem(model_id("unknown"), ARTIFACT_HASH, SCHEMA_HASH) == (
        "not registered on the coordinator"
    )
    assert (
        wrapper.registration_problem(MODEL_ID, OTHER_HASH, SCHEMA_HASH) == "artifact sha256 differs from the chain's v1"
    )
    assert (
        wrapper.registration_problem(MODEL_ID, ARTIFACT_HASH, OTHER_HASH) == "schema sha256 differs from the chain's v1"
    )
    coordinator.setModelActive(MODEL_ID, False, {"from": owner})
    assert wrapper.registration_problem(MODEL_ID, ARTIFACT_HASH, SCHEMA_HASH) == "deactivated on the coordinator"


def test_owner_transactions_register_then_update_a_model(w3, wrapper, owner):
    new = model_id("fresh model")
    assert wrapper.owner() == owner.address

    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction(
            wrapper.register_model_tx(owner.address, new, ARTIFACT_HASH, SCHEMA_HASH, ModelPricing(7, 3, 500_000))
        )
    )
    assert receipt["status"] == 1
    assert wrapper.model(new) == Registration(ARTIFACT_HASH, SCHEMA_HASH, 1, 7, True, 500_000, 3)

    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction(wrapper.update_model_tx(owner.address, new, OTHER_HASH, SCHEMA_HASH))
    )
    assert wrapper.model(new) == Registration(OTHER_HASH, SCHEMA_HASH, 2, 7, True, 500_000, 3)


# ---------------------------------------------------------------------------------------------- signers
def test_signer_reads(wrapper, coordinator, owner, signer_accounts):
    assert wrapper.signers() == (signer_accounts[0].address,)
    assert wrapper.threshold() == 1
    assert wrapper.is_signer(signer_accounts[0].address.lower())
    assert not wrapper.is_signer(signer_accounts[1].address)
    assert not wrapper.paused()
    coordinator.pause({"from": owner})
    assert wrapper.paused()


def test_signer_set_is_cached_until_max_age_then_read_again(wrapper, three_of_five, signer_accounts, clock, owner):
    first = wrapper.signer_set(max_age_seconds=60)
    assert first == SignerSet(tuple(sorted(a.address for a in signer_accounts)), 3, 1_000.0)
    assert signer_accounts[4].address.lower() in first

    three_of_five.removeSigner(signer_accounts[4].address, {"from": owner})
    clock.now += 59
    assert wrapper.signer_set(max_age_seconds=60) is first
    clock.now += 1
    again = wrapper.signer_set(max_age_seconds=60)
    assert again.signers == tuple(sorted(a.address for a in signer_accounts[:4])) and again.read_at == 1_060.0


def test_refresh_reads_the_signer_set_at_once(wrapper, coordinator, owner, signer_accounts):
    assert wrapper.signer_set(max_age_seconds=3_600).threshold == 1
    coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    coordinator.setThreshold(2, {"from": owner})
    assert wrapper.signer_set(max_age_seconds=3_600).threshold == 1
    refreshed = wrapper.refresh()
    assert (refreshed.threshold, len(refreshed.signers)) == (2, 2)
    assert wrapper.signer_set(max_age_seconds=3_600) is refreshed


# ---------------------------------------------------------------------------------------------- requests
def test_commitments_of_pending_fulfilled_and_unknown_ids_in_one_round_trip(
    w3, wrapper, coordinator, consumer, user, chain, oracle_signers, relayer, monkeypatch
):
    pending_id, _, _ = request_prediction(consumer, user, chain)
    done_id, done_request, _ = request_prediction(consumer, user, chain)
    coordinator.fulfill(*signed_report(oracle_signers[:1], done_id, done_request, [5]), {"from": relayer})
    unknown_id = b"\x42" * 32
    provider, batches = w3.provider, []
    batch = provider.make_batch_request

    def no_single_request(*args):
        raise AssertionError("commitments made a request of its own")

    monkeypatch.setattr(provider, "make_request", no_single_request)
    monkeypatch.setattr(provider, "make_batch_request", lambda calls: batches.append(calls) or batch(calls))

    commitments = wrapper.commitments([pending_id, done_id, unknown_id])

    assert len(batches) == 1 and len(batches[0]) == 3
    assert commitments[pending_id] == bytes(coordinator.commitmentOf(pending_id))
    assert commitments[pending_id] != bytes(32)
    assert commitments[done_id] == commitments[unknown_id] == bytes(32)
    assert list(commitments) == [pending_id, done_id, unknown_id]
    assert wrapper.pending([pending_id, done_id, unknown_id]) == {pending_id}
    monkeypatch.undo()
    assert wrapper.is_pending(pending_id) and not wrapper.is_pending(done_id) and not wrapper.is_pending(unknown_id)
    assert wrapper.commitments([]) == {}


# ---------------------------------------------------------------------------------------------- calldata
def test_calldata_equals_web3s(wrapper, web3_coordinator, consumer, user, chain, oracle_signers, unsigned):
    request_id, request, _ = request_prediction(consumer, user, chain)
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [7])
    pull_signatures = sign_pull_report(oracle_signers[:1], unsigned)

    expected_batch = web3_coordinator.encode_abi("fulfillBatch", args=[[report, report], [signatures, signatures]])
    assert "0x" + wrapper.fulfill_batch_calldata([report, report], [signatures, signatures]).hex() == expected_batch
    assert "0x" + wrapper.fulfill_calldata(report, signatures).hex() == web3_coordinator.encode_abi(
        "fulfill", args=[report, signatures]
    )
    assert "0x" + wrapper.verify_report_calldata(unsigned, pull_signatures).hex() == web3_coordinator.encode_abi(
        "verifyReport", args=[unsigned.as_abi(), pull_signatures]
    )


def test_verify_report_returns_status_and_value(wrapper, unsigned, oracle_signers):
    assert wrapper.verify_report(unsigned, sign_pull_report(oracle_signers[:1], unsigned)) == (Status.OK, 1_234)


def test_verify_report_raises_the_decoded_error_after_valid_until(wrapper, unsigned, oracle_signers, chain):
    signatures = sign_pull_report(oracle_signers[:1], unsigned)
    after_deadline(chain, unsigned.valid_until)

    with pytest.raises(CoordinatorReverted) as raised:
        wrapper.verify_report(unsigned, signatures)

    assert raised.value.error_name == "OracleCoordinatorReportExpired"
    assert raised.value.error_args == (unsigned.valid_until,)
    assert "verifyReport reverts with OracleCoordinatorReportExpired" in str(raised.value)


def test_verify_report_names_an_unknown_signer(wrapper, unsigned, oracle_signers):
    with pytest.raises(CoordinatorReverted) as raised:
        wrapper.verify_report(unsigned, sign_pull_report(oracle_signers[3:4], unsigned))
    assert raised.value.error_name == "OracleCoordinatorUnknownSigner"
    assert raised.value.error_args == (oracle_signers[3].address,)


# ---------------------------------------------------------------------------------------------- events
def test_receipt_outcome_of_a_batch_with_one_skipped_report(
    w3, wrapper, coordinator, consumer, user, chain, oracle_signers, relayer
):
    pending = [request_prediction(consumer, user, chain)[:2] for _ in range(3)]
    signed = [
        signed_report(oracle_signers[:1], rid, request, [v])
        for (rid, request), v in zip(pending, [1, 2, 3], strict=True)
    ]
    coordinator.fulfill(*signed[1], {"from": relayer})

    tx = coordinator.fulfillBatch([r for r, _ in signed], [s for _, s in signed], {"from": relayer})

    expected_fulfilled = {pending[0][0], pending[2][0]}
    expected_skipped = {pending[1][0]: "OracleCoordinatorUnknownRequest"}
    for receipt in (w3.eth.get_transaction_receipt(tx.txid), get_receipt(w3, bytes.fromhex(tx.txid[2:]))):
        outcome = wrapper.receipt_outcome(receipt)
        assert outcome.fulfilled == expected_fulfilled
        assert outcome.skipped == expected_skipped
    skipped = wrapper.skipped_reports(tx.block_number, tx.block_number)
    assert [(s.request_id, s.reason, s.block_number) for s in skipped] == [
        (pending[1][0], "OracleCoordinatorUnknownRequest", tx.block_number)
    ]


def test_receipt_outcome_ignores_the_same_event_from_another_contract(wrapper, consumer):
    log = {"address": consumer.address, "topics": [event_topic("PredictionFulfilled"), b"\x01" * 32], "data": b""}
    assert wrapper.receipt_outcome({"logs": [log]}) == ReceiptOutcome(frozenset(), {})


def test_answer_of_a_fulfilled_request(wrapper, coordinator, consumer, user, chain, oracle_signers, relayer):
    request_id, request, requested_tx = request_prediction(consumer, user, chain)
    tx = coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [-9]), {"from": relayer})

    answer = wrapper.answer(request_id, requested_tx.block_number)

    assert answer == Answer(request_id, "fulfilled", tx.block_number, bytes.fromhex(tx.txid[2:]), Status.OK, -9)
    assert wrapper.answer(request_id, requested_tx.block_number, tx.block_number - 1) is None
    assert answer in wrapper.answers(requested_tx.block_number)


def test_answer_of_a_cancelled_request(wrapper, coordinator, pending, relayer, chain):
    request_id, request = pending
    after_deadline(chain, request.deadline)
    tx = coordinator.cancel(request_id, request.as_abi(), {"from": relayer})

    answer = wrapper.answer(request_id, 0)

    assert (answer.kind, answer.block_number, answer.status, answer.value) == ("cancelled", tx.block_number, None, None)


def test_answer_is_none_for_an_unknown_request(wrapper):
    assert wrapper.answer(b"\x42" * 32, 0) is None


def test_requested_event_carries_request_and_features(wrapper, consumer, user, chain):
    request_id, request, tx = request_prediction(consumer, user, chain, features=(1, -2, 3))

    event = wrapper.requested(request_id, tx.block_number)

    assert (event.request_id, event.request, event.features) == (request_id, request, (1, -2, 3))
    assert (event.block_number, event.tx_hash) == (tx.block_number, bytes.fromhex(tx.txid[2:]))
    assert event.request.consumer == to_checksum_address(consumer.address)
    assert wrapper.requested(b"\x42" * 32, 0) is None
    assert [e.request_id for e in wrapper.requests(tx.block_number, tx.block_number)] == [request_id]
