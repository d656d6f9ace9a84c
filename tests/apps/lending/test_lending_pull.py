"""LendingPool.borrowWithReport: an instant decision from a signed pull-mode report of the real model's PD, made for
the borrower and this pool over the commitment to the borrower's features that a data provider attested."""

from dataclasses import replace

import brownie
import pytest
from eth_abi import encode
from eth_utils import keccak

from oracle.chain.signer import sign_pull_report
from oracle.types import PullReport, Status
from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.lending import COLLATERAL_UNIT, POLICY, USD, LoanStatus, attest, attested, loan_of
from tests.helpers import after_deadline, custom_error, hx, plain

REPORT_KEY_TYPES = ["address", "address", "uint64", "bytes32", "bytes32", "bytes32", "uint8"]


def report_hash(report: PullReport) -> bytes:
    """keccak256 of every field but the values: the replay key and the loan id."""
    return keccak(encode(REPORT_KEY_TYPES, list(report.as_abi()[:-1])))


@pytest.fixture
def applicant(rows, credit_model):
    """A held-out row the model scores within the policy: (features, PD in basis points)."""
    row = rows[1]
    prediction = credit_model.predict([row.features])[0]
    assert prediction.status == Status.OK and prediction.value <= POLICY.max_pd_bps
    return row.features, prediction.value


@pytest.fixture
def application(funded_pool, applicant, collateralised):
    """The bureau's attestation of the applicant's features (by their commitment) for the borrower."""
    return attested(funded_pool, collateralised, applicant[0])


@pytest.fixture
def unsigned(funded_pool, application, applicant, credit_model, collateralised, chain):
    return PullReport(
        subject=collateralised.address,
        consumer=funded_pool.address,
        valid_until=chain[-1].timestamp + 300,
        model_id=CREDIT_RISK,
        artifact_hash=credit_model.artifact_hash,
        input_hash=application.commitment,
        status=Status.OK,
        values=(applicant[1],),
    )


def borrow(
    pool,
    report,
    signers,
    borrower,
    draw=400 * USD,
    collateral_amount=COLLATERAL_UNIT,
    requested=1_000 * USD,
    attestation: tuple[int, bytes] | None = None,
):
    """borrowWithReport with `attestation` (expiresAt, signature), by default the bureau's of the report's
    commitment for `borrower`."""
    expires_at, signature = attestation or attest(pool, borrower, report.input_hash)
    signatures = sign_pull_report(signers, report)
    return pool.borrowWithReport(
        report.as_abi(), signatures, collateral_amount, requested, draw, expires_at, signature, {"from": borrower}
    )


def test_borrow_with_report_decides_and_draws_at_once(
    funded_pool, stablecoin, collateral, unsigned, oracle_signers, collateralised, credit_model, chain, bureau
):
    tx = borrow(funded_pool, unsigned, oracle_signers[:1], collateralised)

    loan_id = report_hash(unsigned)
    pd_bps = unsigned.values[0]
    _, apr, ltv = POLICY.terms(pd_bps)
    deadline = tx.timestamp + POLICY.draw_window_seconds
    assert tx.return_value == hx(loan_id)
    assert plain(tx.events["LoanApplied"].values()) == [
        hx(loan_id),
        collateralised.address,
        hx(CREDIT_RISK),
        COLLATERAL_UNIT,
        1_000 * USD,
        hx(credit_model.artifact_hash),
        hx(unsigned.input_hash),
        bureau.address,
    ]
    assert plain(tx.events["LoanDecided"].values()) == [
        hx(loan_id),
        collateralised.address,
        hx(CREDIT_RISK),
        hx(credit_model.artifact_hash),
        hx(unsigned.input_hash),
        bureau.address,
        Status.OK,
        pd_bps,
        True,
        apr,
        ltv,
        deadline,
    ]
    assert plain(tx.events["LoanDrawn"].values()) == [hx(loan_id), 400 * USD, 400 * USD]
    assert stablecoin.balanceOf(collateralised) == 400 * USD
    assert collateral.balanceOf(funded_pool) == COLLATERAL_UNIT
    loan = loan_of(funded_pool, loan_id)
    assert (loan["status"], loan["pdBps"], loan["aprBps"], loan["ltvBps"]) == (LoanStatus.ACTIVE, pd_bps, apr, ltv)
    assert (loan["drawnAmount"], loan["feeWei"]) == (400 * USD, 0)
    assert (loan["inputHash"], loan["attester"]) == (hx(unsigned.input_hash), bureau.address)


def test_borrow_with_report_without_draw_opens_the_line(funded_pool, unsigned, oracle_signers, collateralised):
    tx = borrow(funded_pool, unsigned, oracle_signers[:1], collateralised, draw=0)
    assert "LoanDrawn" not in tx.events
    assert funded_pool.availableToDraw(report_hash(unsigned)) == 1_000 * USD


def test_borrow_with_report_reverts_for_another_subject(funded_pool, unsigned, oracle_signers, user):
    with brownie.reverts(custom_error(funded_pool, "OracleConsumerWrongSubject", user.address, unsigned.subject)):
        borrow(funded_pool, unsigned, oracle_signers[:1], user)


def test_borrow_with_report_reverts_on_replay(funded_pool, unsigned, oracle_signers, collateralised):
    borrow(funded_pool, unsigned, oracle_signers[:1], collateralised)
    with brownie.reverts(custom_error(funded_pool, "OracleConsumerReportAlreadyUsed", report_hash(unsigned))):
        borrow(funded_pool, unsigned, oracle_signers[:1], collateralised)


def test_borrow_with_report_reverts_after_valid_until(
    funded_pool, coordinator, unsigned, oracle_signers, collateralised, chain
):
    attestation = attest(funded_pool, collateralised, unsigned.input_hash)
    after_deadline(chain, unsigned.valid_until)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorReportExpired", unsigned.valid_until)):
        borrow(funded_pool, unsigned, oracle_signers[:1], collateralised, attestation=attestation)


def test_borrow_with_report_reverts_for_another_model(funded_pool, unsigned, oracle_signers, collateralised):
    other = replace(unsigned, model_id=keccak(text="delivery-delay"))
    with brownie.reverts(custom_error(funded_pool, "LendingPoolWrongModel", CREDIT_RISK, other.model_id)):
        borrow(funded_pool, other, oracle_signers[:1], collateralised)


def test_borrow_with_report_reverts_if_signer_unknown(
    funded_pool, coordinator, unsigned, oracle_signers, collateralised
):
    stranger = oracle_signers[3]
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", stranger.address)):
        borrow(funded_pool, unsigned, [stranger], collateralised)


@pytest.mark.parametrize("status", [Status.INVALID_INPUT, Status.MODEL_ERROR])
def test_borrow_with_report_reverts_unless_ok(funded_pool, unsigned, oracle_signers, collateralised, status):
    report = replace(unsigned, status=status, values=(0,))
    with brownie.reverts(custom_error(funded_pool, "LendingPoolReportNotOk", status)):
        borrow(funded_pool, report, oracle_signers[:1], collateralised)


def test_borrow_with_report_reverts_above_max_pd(
    funded_pool, unsigned, oracle_signers, collateralised, rows, credit_model
):
    row = rows[3]
    pd_bps = credit_model.predict([row.features])[0].value
    assert pd_bps > POLICY.max_pd_bps
    committed = attested(funded_pool, collateralised, row.features).commitment
    report = replace(unsigned, input_hash=committed, values=(pd_bps,))
    with brownie.reverts(custom_error(funded_pool, "LendingPoolPdAboveMax", pd_bps, POLICY.max_pd_bps)):
        borrow(funded_pool, report, oracle_signers[:1], collateralised)


@pytest.mark.parametrize("value", [-1, 10_001])
def test_borrow_with_report_reverts_on_pd_outside_basis_points(
    funded_pool, unsigned, oracle_signers, collateralised, value
):
    report = replace(unsigned, values=(value,))
    with brownie.reverts(custom_error(funded_pool, "LendingPoolInvalidPd", value)):
        borrow(funded_pool, report, oracle_signers[:1], collateralised)


@pytest.mark.parametrize(("collateral_amount", "requested"), [(0, 1_000 * USD), (COLLATERAL_UNIT, 0)])
def test_borrow_with_report_reverts_on_zero_amount(
    funded_pool, unsigned, oracle_signers, collateralised, collateral_amount, requested
):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolZeroAmount")):
        borrow(funded_pool, unsigned, oracle_signers[:1], collateralised, 0, collateral_amount, requested)


def test_borrow_with_report_draw_beyond_line_reverts_and_leaves_report_usable(
    funded_pool, unsigned, oracle_signers, collateralised
):
    loan_id = report_hash(unsigned)
    with brownie.reverts(
        custom_error(funded_pool, "LendingPoolExceedsCreditLine", loan_id, 1_000 * USD + 1, 1_000 * USD)
    ):
        borrow(funded_pool, unsigned, oracle_signers[:1], collateralised, draw=1_000 * USD + 1)
    borrow(funded_pool, unsigned, oracle_signers[:1], collateralised, draw=1_000 * USD)
    assert loan_of(funded_pool, loan_id)["drawnAmount"] == 1_000 * USD
