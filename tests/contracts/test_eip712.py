"""The Python EIP-712 definitions and the contract's give the same digests, and Python signatures pass on chain."""

from hypothesis import given, settings
from hypothesis import strategies as st

from oracle.chain.eip712 import (
    domain_separator,
    observation_digest,
    observation_message,
    pull_observation_digest,
    pull_observation_message,
)
from oracle.chain.signer import digest, sign_report
from oracle.types import PullReport, Report, Request, Status
from tests.helpers import hx, request_prediction

bytes32 = st.binary(min_size=32, max_size=32)
int256 = st.integers(min_value=-(2**255), max_value=2**255 - 1)
statuses = st.sampled_from([Status.OK, Status.INVALID_INPUT, Status.MODEL_ERROR])
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())


@settings(max_examples=25, deadline=None)
@given(request_id=bytes32, model_id=bytes32, artifact=bytes32, inputs=bytes32, status=statuses, value=int256)
def test_observation_digest_matches_contract(
    coordinator, domain, request_id, model_id, artifact, inputs, status, value
):
    request = Request(model_id, artifact, inputs, "0x" + "00" * 19 + "01", 0, 1, 0)
    report = Report(request_id, request, status, (value,))
    expected = digest(observation_message(domain, request_id, request, status, value))
    assert coordinator.observationDigest(report.as_abi(), value) == hx(expected)
    assert observation_digest(domain_separator(domain), request_id, request, status, value) == expected


@settings(max_examples=25, deadline=None)
@given(
    subject=addresses,
    consumer=addresses,
    valid_until=st.integers(0, 2**64 - 1),
    model_id=bytes32,
    status=statuses,
    value=int256,
)
def test_pull_observation_digest_matches_contract(
    coordinator, domain, subject, consumer, valid_until, model_id, status, value
):
    report = PullReport(subject, consumer, valid_until, model_id, b"\x01" * 32, b"\x02" * 32, status, (value,))
    expected = digest(pull_observation_message(domain, report, value))
    assert coordinator.pullObservationDigest(report.as_abi(), value) == hx(expected)
    assert pull_observation_digest(domain_separator(domain), report, value) == expected


def test_domain_matches_contract_eip712_domain(coordinator, domain):
    _, name, version, chain_id, verifying_contract, _, _ = coordinator.eip712Domain()
    assert (name, version, chain_id, verifying_contract) == (
        "OracleCoordinator",
        "1",
        domain.chain_id,
        domain.verifying_contract,
    )


def test_python_signed_report_is_accepted_on_chain(coordinator, consumer, oracle_signers, user, relayer, chain):
    request_id, request, _ = request_prediction(consumer, user, chain)
    report, signatures = sign_report(oracle_signers[:1], request_id, request, Status.OK, [-42])
    tx = coordinator.fulfill(report.as_abi(), signatures, {"from": relayer})
    assert tx.events["PredictionFulfilled"]["value"] == -42


def test_calldata_and_event_codecs_match_web3(coordinator, consumer, oracle_signers, user, chain, web3):
    from oracle.chain.codec import decode_prediction_requested, encode_call

    request_id, request, tx = request_prediction(consumer, user, chain)
    report, signatures = sign_report(oracle_signers[:1], request_id, request, Status.OK, [7])
    contract = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)
    args = [[report.as_abi(), report.as_abi()], [signatures, signatures]]
    assert encode_call("fulfillBatch", args) == bytes.fromhex(contract.encode_abi("fulfillBatch", args=args)[2:])
    receipt = web3.eth.get_transaction_receipt(tx.txid)
    log = next(e for e in receipt["logs"] if e["address"] == coordinator.address)
    assert decode_prediction_requested(log) == (
        request_id,
        request,
        tuple(tx.events["PredictionRequested"]["features"]),
    )
