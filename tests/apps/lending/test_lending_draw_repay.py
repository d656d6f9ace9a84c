"""LendingPool draws, per-second interest and repayment."""

import brownie
import pytest

from oracle.types import Status
from tests.apps.lending.lending import (
    COLLATERAL_UNIT,
    INITIAL_PRICE,
    MAX_UINT,
    POLICY,
    SCALE,
    SETTINGS,
    USD,
    YEAR_SECONDS,
    LoanStatus,
    answer,
    apply_for_loan,
    approved_loan,
    loan_of,
    owed,
)
from tests.helpers import after_deadline, custom_error, hx, plain

PD = 1_000  # APR 10.00 %, max LTV 72.50 %: 1 mETH (2,000 mUSD) supports 1,450 mUSD of debt
APR = POLICY.terms(PD)[1]
MAX_DEBT = 1_450 * USD


@pytest.fixture
def loan(funded_pool, coordinator, oracle_signers, relayer, collateralised, rows):
    """An approved, undrawn loan of 1,000 mUSD against 1 mETH."""
    return approved_loan(funded_pool, coordinator, oracle_signers[:1], relayer, collateralised, rows[0].features, PD)


@pytest.fixture
def wide_loan(funded_pool, coordinator, oracle_signers, relayer, collateralised, rows):
    """An approved loan that asks for more (2,000 mUSD) than its collateral supports at its LTV."""
    return approved_loan(
        funded_pool,
        coordinator,
        oracle_signers[:1],
        relayer,
        collateralised,
        rows[0].features,
        PD,
        requested=2_000 * USD,
    )


@pytest.fixture
def payer(stablecoin, funded_pool, collateralised):
    """The borrower, with 10,000 mUSD more to pay interest, and the pool approved."""
    stablecoin.mint(collateralised, 10_000 * USD, {"from": collateralised})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": collateralised})
    return collateralised


# ---------------------------------------------------------------- draw


def test_draw_pays_borrower_and_records_debt(funded_pool, stablecoin, loan, collateralised):
    assets_before = funded_pool.totalAssets()
    tx = funded_pool.draw(loan, 600 * USD, {"from": collateralised})

    assert plain(tx.events["LoanDrawn"].values()) == [hx(loan), 600 * USD, 600 * USD]
    assert stablecoin.balanceOf(collateralised) == 600 * USD
    state = loan_of(funded_pool, loan)
    assert (state["drawnAmount"], state["debt"], state["lastAccrualAt"]) == (600 * USD, 600 * USD, tx.timestamp)
    assert funded_pool.totalDebt() == 600 * USD
    assert funded_pool.totalAssets() == assets_before


def test_draw_up_to_requested_in_parts(funded_pool, loan, collateralised):
    funded_pool.draw(loan, 400 * USD, {"from": collateralised})
    funded_pool.draw(loan, 600 * USD, {"from": collateralised})
    assert loan_of(funded_pool, loan)["drawnAmount"] == 1_000 * USD
    with brownie.reverts(custom_error(funded_pool, "LendingPoolExceedsCreditLine", loan, 1, 0)):
        funded_pool.draw(loan, 1, {"from": collateralised})


def test_draw_reverts_above_requested(funded_pool, loan, collateralised):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolExceedsCreditLine", loan, 1_000 * USD + 1, 1_000 * USD)):
        funded_pool.draw(loan, 1_000 * USD + 1, {"from": collateralised})


def test_draw_reverts_above_ltv_of_collateral_value(funded_pool, wide_loan, collateralised):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolExceedsLtv", wide_loan, MAX_DEBT + 1, MAX_DEBT)):
        funded_pool.draw(wide_loan, MAX_DEBT + 1, {"from": collateralised})
    funded_pool.draw(wide_loan, MAX_DEBT, {"from": collateralised})


def test_draw_ltv_uses_the_live_price(funded_pool, feed, owner, wide_loan, collateralised):
    feed.setAnswer(INITIAL_PRICE // 2, {"from": owner})
    with brownie.reverts(custom_error(funded_pool, "LendingPoolExceedsLtv", wide_loan, 800 * USD, 725 * USD)):
        funded_pool.draw(wide_loan, 800 * USD, {"from": collateralised})


def test_draw_ltv_counts_accrued_interest(funded_pool, feed, owner, wide_loan, collateralised, chain):
    funded_pool.draw(wide_loan, MAX_DEBT - 2 * USD, {"from": collateralised})
    chain.sleep(6 * 24 * 3600)  # about 2.4 mUSD of interest at 10 % a year
    feed.setAnswer(INITIAL_PRICE, {"from": owner})
    with brownie.reverts(revert_pattern="LendingPoolExceedsLtv: .*"):
        funded_pool.draw(wide_loan, USD, {"from": collateralised})


def test_draw_reverts_for_someone_else(funded_pool, loan, user):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolNotBorrower", loan, user.address)):
        funded_pool.draw(loan, USD, {"from": user})


def test_draw_reverts_on_zero(funded_pool, loan, collateralised):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolZeroAmount")):
        funded_pool.draw(loan, 0, {"from": collateralised})


def test_draw_reverts_while_pending(funded_pool, collateralised, rows):
    loan_id, _, _ = apply_for_loan(funded_pool, collateralised, rows[0].features)
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", loan_id, LoanStatus.PENDING)):
        funded_pool.draw(loan_id, USD, {"from": collateralised})


def test_draw_reverts_when_rejected(funded_pool, coordinator, oracle_signers, relayer, collateralised, rows):
    loan_id, request, _ = apply_for_loan(funded_pool, collateralised, rows[0].features)
    answer(coordinator, oracle_signers[:1], relayer, loan_id, request, 0, Status.INVALID_INPUT)
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", loan_id, LoanStatus.REJECTED)):
        funded_pool.draw(loan_id, USD, {"from": collateralised})


def test_draw_reverts_after_window(funded_pool, loan, collateralised, chain):
    deadline = loan_of(funded_pool, loan)["drawDeadline"]
    funded_pool.draw(loan, USD, {"from": collateralised})
    after_deadline(chain, deadline)
    with brownie.reverts(custom_error(funded_pool, "LendingPoolDrawWindowClosed", loan, deadline)):
        funded_pool.draw(loan, USD, {"from": collateralised})


def test_draw_reverts_without_liquidity(
    LendingPool,
    funded_pool,
    coordinator,
    oracle_signers,
    relayer,
    collateralised,
    rows,
    stablecoin,
    collateral,
    lender,
    owner,
):
    """A second pool, with only 300 mUSD deposited."""
    pool = LendingPool.deploy(
        stablecoin,
        funded_pool.collateralToken(),
        funded_pool.priceFeed(),
        coordinator,
        funded_pool.modelId(),
        POLICY.as_abi(),
        SETTINGS.as_abi(),
        owner,
        {"from": owner},
    )
    collateral.approve(pool, MAX_UINT, {"from": collateralised})
    stablecoin.mint(lender, 300 * USD, {"from": lender})
    stablecoin.approve(pool, MAX_UINT, {"from": lender})
    pool.deposit(300 * USD, lender, {"from": lender})
    loan_id = approved_loan(pool, coordinator, oracle_signers[:1], relayer, collateralised, rows[0].features, PD)
    with brownie.reverts(custom_error(pool, "LendingPoolInsufficientLiquidity", 301 * USD, 300 * USD)):
        pool.draw(loan_id, 301 * USD, {"from": collateralised})


def test_draw_reverts_on_stale_price(funded_pool, feed, owner, loan, collateralised, chain):
    updated_at = chain[-1].timestamp - SETTINGS.max_price_age_seconds - 1
    feed.setRoundData(INITIAL_PRICE, updated_at, {"from": owner})
    with brownie.reverts(
        custom_error(funded_pool, "LendingPoolStalePrice", updated_at, SETTINGS.max_price_age_seconds)
    ):
        funded_pool.draw(loan, USD, {"from": collateralised})


@pytest.mark.parametrize("price", [0, -1])
def test_draw_reverts_on_non_positive_price(funded_pool, feed, owner, loan, collateralised, price):
    feed.setAnswer(price, {"from": owner})
    with brownie.reverts(custom_error(funded_pool, "LendingPoolInvalidPrice", price)):
        funded_pool.draw(loan, USD, {"from": collateralised})


def test_available_to_draw(funded_pool, feed, owner, wide_loan, loan, collateralised, chain):
    assert funded_pool.availableToDraw(loan) == 1_000 * USD  # the requested amount binds
    assert funded_pool.availableToDraw(wide_loan) == MAX_DEBT  # the LTV binds
    funded_pool.draw(wide_loan, 450 * USD, {"from": collateralised})
    assert funded_pool.availableToDraw(wide_loan) == 1_000 * USD
    feed.setAnswer(INITIAL_PRICE // 4, {"from": owner})
    assert funded_pool.availableToDraw(wide_loan) == 0  # 1 mETH = 500 mUSD supports 362.5 of the 450 owed
    after_deadline(chain, loan_of(funded_pool, loan)["drawDeadline"])
    feed.setAnswer(INITIAL_PRICE, {"from": owner})
    assert funded_pool.availableToDraw(loan) == 0
    assert funded_pool.availableToDraw(b"\x01" * 32) == 0


# ---------------------------------------------------------------- interest


def test_interest_accrues_per_second(funded_pool, loan, collateralised, chain):
    tx = funded_pool.draw(loan, 1_000 * USD, {"from": collateralised})
    chain.sleep(YEAR_SECONDS)
    chain.mine()
    elapsed = chain[-1].timestamp - tx.timestamp
    expected, scaled = owed(1_000 * USD, APR, tx.timestamp, tx.timestamp + elapsed)

    assert abs(elapsed - YEAR_SECONDS) < 60
    assert 1_099 * USD < expected < 1_101 * USD  # 10 % over a year (give or take a minute)
    assert funded_pool.debtOf(loan) == expected
    assert funded_pool.accruedInterestOf(loan) == expected - 1_000 * USD
    assert funded_pool.totalDebt() == scaled // SCALE  # lenders count the exact total rounded down
    chain.sleep(1)
    chain.mine()
    assert funded_pool.debtOf(loan) > expected


def test_total_assets_include_accrued_interest(funded_pool, loan, collateralised, chain, stablecoin):
    funded_pool.draw(loan, 1_000 * USD, {"from": collateralised})
    before = funded_pool.totalAssets()
    chain.sleep(30 * 24 * 3600)
    chain.mine()
    assert funded_pool.totalAssets() == stablecoin.balanceOf(funded_pool) + funded_pool.totalDebt()
    assert funded_pool.totalAssets() > before


def test_second_draw_compounds_interest_so_far(funded_pool, feed, owner, loan, collateralised, chain):
    first = funded_pool.draw(loan, 500 * USD, {"from": collateralised})
    chain.sleep(5 * 24 * 3600)
    feed.setAnswer(INITIAL_PRICE, {"from": owner})
    second = funded_pool.draw(loan, 200 * USD, {"from": collateralised})
    accrued, _ = owed(500 * USD, APR, first.timestamp, second.timestamp)
    assert second.events["LoanDrawn"]["debt"] == accrued + 200 * USD
    assert loan_of(funded_pool, loan)["debt"] == accrued + 200 * USD


# ---------------------------------------------------------------- repay


def test_partial_repay_reduces_debt(funded_pool, stablecoin, loan, payer, chain):
    drawn = funded_pool.draw(loan, 1_000 * USD, {"from": payer})
    chain.sleep(90 * 24 * 3600)
    cash_before = stablecoin.balanceOf(funded_pool)

    tx = funded_pool.repay(loan, 400 * USD, {"from": payer})

    debt, _ = owed(1_000 * USD, APR, drawn.timestamp, tx.timestamp)
    assert tx.return_value == 400 * USD
    assert plain(tx.events["LoanRepaid"].values()) == [hx(loan), payer.address, 400 * USD, debt - 400 * USD]
    assert stablecoin.balanceOf(funded_pool) == cash_before + 400 * USD
    state = loan_of(funded_pool, loan)
    assert (state["status"], state["debt"], state["settledAmount"]) == (LoanStatus.ACTIVE, debt - 400 * USD, 400 * USD)
    assert state["collateralAmount"] == COLLATERAL_UNIT


def test_full_repay_returns_collateral(funded_pool, stablecoin, collateral, loan, payer, chain, lender):
    drawn = funded_pool.draw(loan, 1_000 * USD, {"from": payer})
    chain.sleep(90 * 24 * 3600)
    collateral_before = collateral.balanceOf(payer)

    tx = funded_pool.repay(loan, MAX_UINT, {"from": payer})

    debt, _ = owed(1_000 * USD, APR, drawn.timestamp, tx.timestamp)
    assert tx.return_value == debt
    assert tx.events["LoanRepaid"]["remainingDebt"] == 0
    assert collateral.balanceOf(payer) == collateral_before + COLLATERAL_UNIT
    state = loan_of(funded_pool, loan)
    assert (state["status"], state["debt"], state["collateralAmount"]) == (LoanStatus.REPAID, 0, 0)
    assert funded_pool.accruedInterestOf(loan) == debt - 1_000 * USD
    assert funded_pool.totalDebt() == 0
    assert funded_pool.convertToAssets(funded_pool.balanceOf(lender)) > 1_000_000 * USD


def test_anyone_may_repay_and_collateral_goes_to_borrower(funded_pool, stablecoin, collateral, loan, payer, user):
    funded_pool.draw(loan, 100 * USD, {"from": payer})
    stablecoin.mint(user, 200 * USD, {"from": user})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": user})
    before = collateral.balanceOf(payer)
    tx = funded_pool.repay(loan, 200 * USD, {"from": user})
    assert tx.events["LoanRepaid"]["payer"] == user.address
    assert stablecoin.balanceOf(user) == 200 * USD - tx.return_value
    assert collateral.balanceOf(payer) == before + COLLATERAL_UNIT
    assert collateral.balanceOf(user) == 0


def test_repay_reverts_on_zero(funded_pool, loan, payer):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolZeroAmount")):
        funded_pool.repay(loan, 0, {"from": payer})


def test_repay_reverts_without_debt(funded_pool, loan, payer):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolNothingToRepay", loan)):
        funded_pool.repay(loan, USD, {"from": payer})


def test_repay_reverts_once_repaid(funded_pool, loan, payer):
    funded_pool.draw(loan, 100 * USD, {"from": payer})
    funded_pool.repay(loan, MAX_UINT, {"from": payer})
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", loan, LoanStatus.REPAID)):
        funded_pool.repay(loan, USD, {"from": payer})
    with brownie.reverts(custom_error(funded_pool, "LendingPoolNotClosable", loan, LoanStatus.REPAID)):
        funded_pool.closeLoan(loan, {"from": payer})


def test_repay_reverts_for_unknown_loan(funded_pool, payer):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", b"\x01" * 32, LoanStatus.NONE)):
        funded_pool.repay(b"\x01" * 32, USD, {"from": payer})
