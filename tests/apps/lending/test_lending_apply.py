"""LendingPool push mode: applying, the oracle's decision in the callback, and closing unused applications."""

import brownie
import pytest

from oracle.types import Status
from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.lending import (
    ANY_UINT,
    COLLATERAL_UNIT,
    POLICY,
    PRIVATE_INPUTS,
    SETTINGS,
    USD,
    LoanStatus,
    answer,
    apply_for_loan,
    approved_loan,
    custom_error_pattern,
    loan_of,
)
from tests.attestations import commitment
from tests.helpers import FEE_WEI, after_deadline, custom_error, hx, plain

UINT96_MAX = 2**96 - 1
UINT128_MAX = 2**128 - 1


@pytest.fixture
def features(rows):
    return rows[0].features


@pytest.fixture
def applied(pool, collateralised, features):
    """A pending application: (loan id, committed Request)."""
    loan_id, request, _ = apply_for_loan(pool, collateralised, features)
    return loan_id, request


def test_apply_takes_collateral_and_requests_prediction(
    pool, coordinator, collateral, collateralised, features, credit_model, bureau, chain
):
    loan_id, request, tx = apply_for_loan(pool, collateralised, features, 2 * COLLATERAL_UNIT, 1_500 * USD)

    assert collateral.balanceOf(pool) == 2 * COLLATERAL_UNIT
    assert collateral.balanceOf(collateralised) == 8 * COLLATERAL_UNIT
    assert request.model_id == CREDIT_RISK
    assert request.artifact_hash == credit_model.artifact_hash
    assert PRIVATE_INPUTS[request.input_hash][1] == list(features)
    assert request.input_hash == commitment(*PRIVATE_INPUTS[request.input_hash])
    assert request.consumer == pool.address
    assert request.fee_wei == FEE_WEI
    assert request.deadline == chain[-1].timestamp + SETTINGS.request_ttl_seconds
    assert request.callback_gas_limit == SETTINGS.callback_gas_limit
    assert coordinator.commitmentOf(loan_id) != hx(bytes(32))
    applied = tx.events["LoanApplied"]
    assert plain(applied.values()) == [
        hx(loan_id),
        collateralised.address,
        hx(CREDIT_RISK),
        2 * COLLATERAL_UNIT,
        1_500 * USD,
        hx(credit_model.artifact_hash),
        hx(request.input_hash),
        bureau.address,
    ]
    loan = loan_of(pool, loan_id)
    assert loan["borrower"] == collateralised.address
    assert loan["status"] == LoanStatus.PENDING
    assert loan["collateralAmount"] == 2 * COLLATERAL_UNIT
    assert loan["requestedAmount"] == 1_500 * USD
    assert loan["feeWei"] == FEE_WEI
    assert loan["artifactHash"] == hx(credit_model.artifact_hash)
    assert loan["inputHash"] == hx(request.input_hash)
    assert loan["attester"] == bureau.address


def test_apply_reverts_if_fee_too_low(pool, coordinator, collateralised, features):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorFeeTooLow", FEE_WEI, FEE_WEI - 1)):
        apply_for_loan(pool, collateralised, features, fee=FEE_WEI - 1)


@pytest.mark.parametrize(("collateral_amount", "requested"), [(0, 1_000 * USD), (COLLATERAL_UNIT, 0)])
def test_apply_reverts_on_zero_amount(pool, collateralised, features, collateral_amount, requested):
    with brownie.reverts(custom_error(pool, "LendingPoolZeroAmount")):
        apply_for_loan(pool, collateralised, features, collateral_amount, requested)


def test_apply_reverts_if_collateral_too_large(pool, collateralised, features):
    with brownie.reverts(custom_error(pool, "LendingPoolAmountTooLarge", UINT128_MAX + 1, UINT128_MAX)):
        apply_for_loan(pool, collateralised, features, UINT128_MAX + 1)


def test_apply_reverts_if_requested_too_large(pool, collateralised, features):
    with brownie.reverts(custom_error(pool, "LendingPoolAmountTooLarge", UINT96_MAX + 1, UINT96_MAX)):
        apply_for_loan(pool, collateralised, features, COLLATERAL_UNIT, UINT96_MAX + 1)


def test_apply_reverts_if_model_inactive(pool, coordinator, owner, collateralised, features):
    coordinator.setModelActive(CREDIT_RISK, False, {"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorModelInactive", CREDIT_RISK)):
        apply_for_loan(pool, collateralised, features)


def test_ok_answer_within_policy_approves_with_terms(
    pool, coordinator, oracle_signers, relayer, applied, bureau, collateralised, chain
):
    loan_id, request = applied
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 1_000)

    approved, apr, ltv = POLICY.terms(1_000)
    assert (approved, apr, ltv) == (True, 1_000, 7_250)
    deadline = chain[-1].timestamp + POLICY.draw_window_seconds
    assert "CallbackFailed" not in tx.events
    assert plain(tx.events["LoanDecided"].values()) == [
        hx(loan_id),
        collateralised.address,
        hx(CREDIT_RISK),
        hx(request.artifact_hash),
        hx(request.input_hash),
        bureau.address,
        Status.OK,
        1_000,
        True,
        apr,
        ltv,
        deadline,
    ]
    loan = loan_of(pool, loan_id)
    assert loan["status"] == LoanStatus.ACTIVE
    assert (loan["pdBps"], loan["aprBps"], loan["ltvBps"], loan["drawDeadline"]) == (1_000, apr, ltv, deadline)


def test_pd_at_max_is_approved(pool, coordinator, oracle_signers, relayer, applied):
    loan_id, request = applied
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, POLICY.max_pd_bps)
    assert tx.events["LoanDecided"]["approved"] is True
    assert tx.events["LoanDecided"]["aprBps"] == POLICY.terms(POLICY.max_pd_bps)[1]


def test_pd_above_max_rejects(pool, coordinator, oracle_signers, relayer, applied, bureau):
    loan_id, request = applied
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, POLICY.max_pd_bps + 1)
    decided = tx.events["LoanDecided"]
    assert (decided["modelId"], decided["artifactHash"]) == (hx(CREDIT_RISK), hx(request.artifact_hash))
    assert (decided["inputHash"], decided["attester"]) == (hx(request.input_hash), bureau.address)
    assert (decided["status"], decided["pdBps"], decided["approved"]) == (Status.OK, POLICY.max_pd_bps + 1, False)
    assert (decided["aprBps"], decided["ltvBps"], decided["drawDeadline"]) == (0, 0, 0)
    loan = loan_of(pool, loan_id)
    assert (loan["status"], loan["pdBps"], loan["aprBps"]) == (LoanStatus.REJECTED, POLICY.max_pd_bps + 1, 0)


@pytest.mark.parametrize("status", [Status.INVALID_INPUT, Status.MODEL_ERROR])
def test_oracle_error_rejects(pool, coordinator, oracle_signers, relayer, applied, status):
    loan_id, request = applied
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 0, status)
    decided = tx.events["LoanDecided"]
    assert (decided["status"], decided["approved"]) == (status, False)
    assert loan_of(pool, loan_id)["status"] == LoanStatus.REJECTED


@pytest.mark.parametrize("value", [-1, 10_001, 2**255 - 1])
def test_ok_answer_outside_basis_points_rejects_without_reverting(
    pool, coordinator, oracle_signers, relayer, applied, value
):
    loan_id, request = applied
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, value)
    assert "CallbackFailed" not in tx.events
    decided = tx.events["LoanDecided"]
    assert (decided["status"], decided["pdBps"], decided["approved"]) == (Status.OK, value, False)
    loan = loan_of(pool, loan_id)
    assert (loan["status"], loan["pdBps"]) == (LoanStatus.REJECTED, 0)


def test_expired_request_is_marked_expired(pool, coordinator, relayer, applied, chain):
    loan_id, request = applied
    after_deadline(chain, request.deadline)
    tx = coordinator.cancel(loan_id, request.as_abi(), {"from": relayer})
    decided = tx.events["LoanDecided"]
    assert (decided["status"], decided["approved"], decided["pdBps"]) == (Status.EXPIRED, False, 0)
    assert loan_of(pool, loan_id)["status"] == LoanStatus.EXPIRED


def test_callback_rejects_callers_other_than_coordinator(pool, applied, user):
    loan_id, _ = applied
    with brownie.reverts(custom_error(pool, "OracleConsumerOnlyCoordinator", user.address)):
        pool.onPrediction(loan_id, Status.OK, 100, {"from": user})


# ---------------------------------------------------------------- closeLoan


def test_close_rejected_returns_collateral(pool, coordinator, collateral, oracle_signers, relayer, applied):
    loan_id, request = applied
    answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 9_000)
    borrower = loan_of(pool, loan_id)["borrower"]
    before = collateral.balanceOf(borrower)

    tx = pool.closeLoan(loan_id, {"from": borrower})

    assert plain(tx.events["LoanClosed"].values()) == [hx(loan_id), COLLATERAL_UNIT, 0]
    assert collateral.balanceOf(borrower) == before + COLLATERAL_UNIT
    assert collateral.balanceOf(pool) == 0
    loan = loan_of(pool, loan_id)
    assert (loan["status"], loan["collateralAmount"]) == (LoanStatus.CLOSED, 0)


def test_close_expired_returns_collateral_and_fee(pool, coordinator, collateral, relayer, applied, chain):
    loan_id, request = applied
    after_deadline(chain, request.deadline)
    coordinator.cancel(loan_id, request.as_abi(), {"from": relayer})
    borrower = brownie.accounts.at(loan_of(pool, loan_id)["borrower"])
    ether_before = borrower.balance()

    tx = pool.closeLoan(loan_id, {"from": borrower, "gas_price": 0})

    assert plain(tx.events["LoanClosed"].values()) == [hx(loan_id), COLLATERAL_UNIT, FEE_WEI]
    assert borrower.balance() == ether_before + FEE_WEI
    assert collateral.balanceOf(pool) == 0
    assert coordinator.balanceOf(pool) == 0
    assert pool.balance() == 0


def test_refunds_of_several_expired_loans_reach_each_borrower(
    pool, coordinator, collateral, relayer, collateralised, features, chain
):
    first, first_request, _ = apply_for_loan(pool, collateralised, features)
    second, second_request, _ = apply_for_loan(pool, collateralised, features)
    after_deadline(chain, second_request.deadline)
    coordinator.cancel(first, first_request.as_abi(), {"from": relayer})
    coordinator.cancel(second, second_request.as_abi(), {"from": relayer})
    assert coordinator.balanceOf(pool) == 2 * FEE_WEI

    pool.closeLoan(first, {"from": collateralised})
    assert (coordinator.balanceOf(pool), pool.balance()) == (0, FEE_WEI)
    tx = pool.closeLoan(second, {"from": collateralised})
    assert tx.events["LoanClosed"]["feeRefundedWei"] == FEE_WEI
    assert pool.balance() == 0


def test_close_unused_approved_loan_returns_collateral(pool, coordinator, collateral, oracle_signers, relayer, applied):
    loan_id, request = applied
    answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 500)
    borrower = loan_of(pool, loan_id)["borrower"]
    tx = pool.closeLoan(loan_id, {"from": borrower})
    assert tx.events["LoanClosed"]["collateralReturned"] == COLLATERAL_UNIT
    assert loan_of(pool, loan_id)["status"] == LoanStatus.CLOSED
    with brownie.reverts(custom_error(pool, "LendingPoolLoanNotActive", loan_id, LoanStatus.CLOSED)):
        pool.draw(loan_id, USD, {"from": borrower})


def test_close_pending_after_failed_callback_returns_collateral(
    pool, coordinator, collateral, oracle_signers, relayer, owner, collateralised, features
):
    pool.setSettings((SETTINGS.request_ttl_seconds, 10_000, SETTINGS.max_price_age_seconds), {"from": owner})
    loan_id, request, _ = apply_for_loan(pool, collateralised, features)
    tx = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 1_000)
    assert "CallbackFailed" in tx.events
    assert loan_of(pool, loan_id)["status"] == LoanStatus.PENDING

    closed = pool.closeLoan(loan_id, {"from": collateralised})

    assert plain(closed.events["LoanClosed"].values()) == [hx(loan_id), COLLATERAL_UNIT, 0]
    assert loan_of(pool, loan_id)["status"] == LoanStatus.CLOSED


def test_close_reverts_while_decision_pending(pool, applied, collateralised):
    loan_id, _ = applied
    with brownie.reverts(custom_error(pool, "LendingPoolDecisionPending", loan_id)):
        pool.closeLoan(loan_id, {"from": collateralised})


def test_close_reverts_for_someone_else(pool, applied, user):
    loan_id, _ = applied
    with brownie.reverts(custom_error(pool, "LendingPoolNotBorrower", loan_id, user.address)):
        pool.closeLoan(loan_id, {"from": user})


def test_close_reverts_with_outstanding_debt(
    funded_pool, coordinator, oracle_signers, relayer, collateralised, features
):
    loan_id = approved_loan(funded_pool, coordinator, oracle_signers[:1], relayer, collateralised, features)
    funded_pool.draw(loan_id, 100 * USD, {"from": collateralised})
    with brownie.reverts(
        revert_pattern=custom_error_pattern(funded_pool, "LendingPoolOutstandingDebt", loan_id, ANY_UINT)
    ):
        funded_pool.closeLoan(loan_id, {"from": collateralised})


def test_close_reverts_when_already_closed(pool, coordinator, oracle_signers, relayer, applied, collateralised):
    loan_id, request = applied
    answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 9_000)
    pool.closeLoan(loan_id, {"from": collateralised})
    with brownie.reverts(custom_error(pool, "LendingPoolNotClosable", loan_id, LoanStatus.CLOSED)):
        pool.closeLoan(loan_id, {"from": collateralised})
