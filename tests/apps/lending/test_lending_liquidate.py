"""LendingPool liquidation: when it is allowed, what the liquidator and the borrower get, and bad debt."""

import brownie
import pytest

from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.lending import (
    ANY_UINT,
    COLLATERAL_UNIT,
    INITIAL_PRICE,
    MAX_UINT,
    POLICY,
    PRICE_DECIMALS,
    SETTINGS,
    USD,
    LoanStatus,
    apply_for_loan,
    approved_loan,
    custom_error_pattern,
    loan_of,
    owed,
)
from tests.helpers import custom_error, hx, plain

PD = 1_000
APR = POLICY.terms(PD)[1]
PRICE_UNIT = 10 ** (PRICE_DECIMALS + 18)  # feed decimals + mETH decimals
WITH_BONUS = 10_000 + POLICY.liquidation_bonus_bps


def value_of(amount: int, price: int) -> int:
    return amount * price * USD // PRICE_UNIT


def amount_for(value: int, price: int) -> int:
    return value * PRICE_UNIT // (price * USD)


@pytest.fixture
def drawn(funded_pool, coordinator, oracle_signers, relayer, collateralised, rows):
    """A loan of 1,000 mUSD drawn against 1 mETH (2,000 mUSD): (loan id, draw tx)."""
    loan_id = approved_loan(funded_pool, coordinator, oracle_signers[:1], relayer, collateralised, rows[0].features, PD)
    return loan_id, funded_pool.draw(loan_id, 1_000 * USD, {"from": collateralised})


@pytest.fixture
def funded_liquidator(stablecoin, funded_pool, liquidator):
    stablecoin.mint(liquidator, 10_000 * USD, {"from": liquidator})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": liquidator})
    return liquidator


def test_liquidate_reverts_while_healthy(funded_pool, drawn, funded_liquidator):
    loan_id, _ = drawn
    assert funded_pool.isLiquidatable(loan_id) is False
    limit = value_of(COLLATERAL_UNIT, INITIAL_PRICE) * POLICY.liquidation_threshold_bps // 10_000
    with brownie.reverts(
        revert_pattern=custom_error_pattern(funded_pool, "LendingPoolLoanHealthy", loan_id, ANY_UINT, limit)
    ):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})


def test_liquidate_after_price_drop_pays_bonus_and_returns_rest(
    funded_pool, stablecoin, collateral, feed, owner, drawn, funded_liquidator, collateralised
):
    loan_id, draw_tx = drawn
    price = 1_150 * 10**PRICE_DECIMALS  # debt 1,000 > 85 % of 1,150
    feed.setAnswer(price, {"from": owner})
    assert funded_pool.isLiquidatable(loan_id) is True
    cash_before = stablecoin.balanceOf(funded_pool)
    borrower_before = collateral.balanceOf(collateralised)

    tx = funded_pool.liquidate(loan_id, {"from": funded_liquidator})

    debt, _ = owed(1_000 * USD, APR, draw_tx.timestamp, tx.timestamp)
    assert debt < value_of(COLLATERAL_UNIT, price) * 10_000 // WITH_BONUS  # the collateral covers debt + bonus
    seized = amount_for(debt * WITH_BONUS // 10_000, price)
    assert plain(tx.return_value) == [debt, seized]
    assert plain(tx.events["LoanLiquidated"].values()) == [
        hx(loan_id),
        funded_liquidator.address,
        debt,
        seized,
        COLLATERAL_UNIT - seized,
        0,
    ]
    assert collateral.balanceOf(funded_liquidator) == seized
    # The rest is credited to the borrower, who withdraws it (a transfer the borrower could block never runs here).
    assert plain(tx.events["CollateralCredited"].values()) == [
        hx(loan_id),
        collateralised.address,
        COLLATERAL_UNIT - seized,
    ]
    assert funded_pool.collateralCreditOf(collateralised) == COLLATERAL_UNIT - seized
    assert collateral.balanceOf(funded_pool) == COLLATERAL_UNIT - seized
    funded_pool.withdrawCollateral(collateralised, {"from": collateralised})
    assert collateral.balanceOf(collateralised) == borrower_before + COLLATERAL_UNIT - seized
    assert collateral.balanceOf(funded_pool) == 0
    assert funded_pool.collateralCreditOf(collateralised) == 0
    assert stablecoin.balanceOf(funded_pool) == cash_before + debt
    assert value_of(seized, price) >= debt * 104 // 100  # the bonus, less rounding
    state = loan_of(funded_pool, loan_id)
    assert (state["status"], state["debt"], state["collateralAmount"], state["settledAmount"]) == (
        LoanStatus.LIQUIDATED,
        0,
        0,
        debt,
    )
    assert funded_pool.totalDebt() == 0
    assert funded_pool.accruedInterestOf(loan_id) == debt - 1_000 * USD


def test_liquidate_writes_off_debt_the_collateral_cannot_cover(
    funded_pool, stablecoin, collateral, feed, owner, drawn, funded_liquidator
):
    loan_id, draw_tx = drawn
    price = 900 * 10**PRICE_DECIMALS
    feed.setAnswer(price, {"from": owner})
    cash_before = stablecoin.balanceOf(funded_pool)

    tx = funded_pool.liquidate(loan_id, {"from": funded_liquidator})

    debt, _ = owed(1_000 * USD, APR, draw_tx.timestamp, tx.timestamp)
    repaid = value_of(COLLATERAL_UNIT, price) * 10_000 // WITH_BONUS
    event = tx.events["LoanLiquidated"]
    assert (event["repaidAmount"], event["badDebt"]) == (repaid, debt - repaid)
    assert (event["collateralSeized"], event["collateralReturned"]) == (COLLATERAL_UNIT, 0)
    assert collateral.balanceOf(funded_liquidator) == COLLATERAL_UNIT
    # The loss is the lenders': assets are now the cash alone, short of the written-off debt.
    assert funded_pool.totalAssets() == cash_before + repaid
    assert funded_pool.totalDebt() == 0


def test_liquidate_with_worthless_collateral_writes_off_everything(funded_pool, feed, owner, drawn, funded_liquidator):
    loan_id, _ = drawn
    feed.setAnswer(1, {"from": owner})  # 1 mETH = 1e-8 mUSD, below the stablecoin's smallest unit
    tx = funded_pool.liquidate(loan_id, {"from": funded_liquidator})
    event = tx.events["LoanLiquidated"]
    assert (event["repaidAmount"], event["collateralSeized"], event["collateralReturned"]) == (0, COLLATERAL_UNIT, 0)
    assert event["badDebt"] >= 1_000 * USD


def test_liquidate_reverts_for_loan_not_active(funded_pool, collateralised, rows, funded_liquidator):
    loan_id = apply_pending(funded_pool, collateralised, rows)
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", loan_id, LoanStatus.PENDING)):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})


def test_liquidate_reverts_once_liquidated(funded_pool, feed, owner, drawn, funded_liquidator):
    loan_id, _ = drawn
    feed.setAnswer(1_000 * 10**PRICE_DECIMALS, {"from": owner})
    funded_pool.liquidate(loan_id, {"from": funded_liquidator})
    assert funded_pool.isLiquidatable(loan_id) is False
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanNotActive", loan_id, LoanStatus.LIQUIDATED)):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})


def test_liquidate_reverts_on_stale_price(funded_pool, feed, owner, drawn, funded_liquidator, chain):
    loan_id, _ = drawn
    updated_at = chain[-1].timestamp - SETTINGS.max_price_age_seconds - 1
    feed.setRoundData(1_000 * 10**PRICE_DECIMALS, updated_at, {"from": owner})
    with brownie.reverts(
        custom_error(funded_pool, "LendingPoolStalePrice", updated_at, SETTINGS.max_price_age_seconds)
    ):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})


def test_undrawn_loan_is_never_liquidatable(
    funded_pool, coordinator, oracle_signers, relayer, collateralised, rows, feed, owner, funded_liquidator
):
    loan_id = approved_loan(funded_pool, coordinator, oracle_signers[:1], relayer, collateralised, rows[0].features, PD)
    feed.setAnswer(1, {"from": owner})
    assert funded_pool.isLiquidatable(loan_id) is False
    with brownie.reverts(custom_error(funded_pool, "LendingPoolLoanHealthy", loan_id, 0, 0)):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})


def test_interest_alone_can_make_a_loan_liquidatable(
    funded_pool, coordinator, oracle_signers, relayer, collateralised, rows, feed, owner, chain
):
    loan_id = approved_loan(
        funded_pool,
        coordinator,
        oracle_signers[:1],
        relayer,
        collateralised,
        rows[0].features,
        PD,
        requested=2_000 * USD,
    )
    funded_pool.draw(loan_id, 1_450 * USD, {"from": collateralised})
    chain.sleep(2 * 365 * 24 * 3600)  # 1,450 at 10 % for two years passes 1,700
    feed.setAnswer(INITIAL_PRICE, {"from": owner})
    assert funded_pool.isLiquidatable(loan_id) is True


def apply_pending(pool, borrower, rows) -> bytes:
    loan_id, _, _ = apply_for_loan(pool, borrower, rows[0].features)
    return loan_id


def test_policy_change_cannot_make_a_healthy_loan_liquidatable(funded_pool, owner, drawn, funded_liquidator):
    """The owner's threshold 101 / bonus 10,000 would let it seize the whole collateral of any loan; loans keep the
    terms they were approved with."""
    loan_id, _ = drawn
    seizing = POLICY.__class__(
        max_ltv_bps=100, ltv_slope_bps=50, liquidation_threshold_bps=101, liquidation_bonus_bps=10_000
    )
    funded_pool.setPolicy(seizing.as_abi(), {"from": owner})
    assert funded_pool.isLiquidatable(loan_id) is False
    with brownie.reverts(
        revert_pattern=custom_error_pattern(funded_pool, "LendingPoolLoanHealthy", loan_id, ANY_UINT, ANY_UINT)
    ):
        funded_pool.liquidate(loan_id, {"from": funded_liquidator})
    state = loan_of(funded_pool, loan_id)
    assert (state["liquidationThresholdBps"], state["liquidationBonusBps"]) == (
        POLICY.liquidation_threshold_bps,
        POLICY.liquidation_bonus_bps,
    )


def test_withdraw_collateral_reverts_when_nothing_credited(funded_pool, collateralised):
    with brownie.reverts(custom_error(funded_pool, "LendingPoolNothingToWithdraw", collateralised.address)):
        funded_pool.withdrawCollateral(collateralised, {"from": collateralised})


def test_liquidation_goes_through_when_the_token_refuses_the_borrower(
    LendingPool,
    MisbehavingEscrowToken,
    stablecoin,
    feed,
    coordinator,
    attestation_registry,
    owner,
    borrower,
    lender,
    funded_liquidator,
    oracle_signers,
    relayer,
    rows,
):
    """A collateral token that refuses transfers to the borrower (a blocklist) cannot block the liquidation."""
    token = MisbehavingEscrowToken.deploy({"from": owner})
    pool = LendingPool.deploy(
        stablecoin, token, feed, coordinator, CREDIT_RISK, POLICY.as_abi(), SETTINGS.as_abi(), owner, {"from": owner}
    )
    stablecoin.mint(lender, 100_000 * USD, {"from": lender})
    stablecoin.approve(pool, MAX_UINT, {"from": lender})
    pool.deposit(100_000 * USD, lender, {"from": lender})
    stablecoin.approve(pool, MAX_UINT, {"from": funded_liquidator})
    token.mint(borrower, COLLATERAL_UNIT, {"from": borrower})
    token.approve(pool, MAX_UINT, {"from": borrower})
    loan_id = approved_loan(pool, coordinator, oracle_signers[:1], relayer, borrower, rows[0].features, PD)
    pool.draw(loan_id, 1_000 * USD, {"from": borrower})
    token.setBlocked(borrower, True, {"from": owner})
    feed.setAnswer(1_150 * 10**PRICE_DECIMALS, {"from": owner})

    tx = pool.liquidate(loan_id, {"from": funded_liquidator})

    returned = tx.events["LoanLiquidated"]["collateralReturned"]
    assert returned > 0 and pool.collateralCreditOf(borrower) == returned
    token.setBlocked(borrower, False, {"from": owner})
    pool.withdrawCollateral(borrower, {"from": borrower})
    assert token.balanceOf(borrower) == returned
