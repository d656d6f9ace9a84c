"""LendingPool as an ERC-4626 vault: lenders' shares, withdrawals capped by idle cash, interest and losses in the share price."""

import brownie
import pytest

from tests.apps.lending.lending import COLLATERAL_UNIT, INITIAL_PRICE, MAX_UINT, PRICE_DECIMALS, USD, approved_loan
from tests.helpers import custom_error

DEPOSIT = 1_000_000 * USD
SHARES_PER_ASSET = 10**6  # the pool's decimals offset: virtual shares against the first depositor's donation


@pytest.fixture
def lent(funded_pool, coordinator, oracle_signers, relayer, collateralised, rows):
    """10,000 mUSD of the 1,000,000 deposited is lent out against 10 mETH."""
    loan_id = approved_loan(
        funded_pool,
        coordinator,
        oracle_signers[:1],
        relayer,
        collateralised,
        rows[0].features,
        1_000,
        collateral_amount=10 * COLLATERAL_UNIT,
        requested=10_000 * USD,
    )
    funded_pool.draw(loan_id, 10_000 * USD, {"from": collateralised})
    return loan_id


def test_deposit_mints_shares_and_withdraw_returns_assets(funded_pool, stablecoin, lender):
    assert funded_pool.balanceOf(lender) == DEPOSIT * SHARES_PER_ASSET
    assert funded_pool.totalAssets() == DEPOSIT
    tx = funded_pool.withdraw(250_000 * USD, lender, lender, {"from": lender})
    assert tx.events["Withdraw"]["assets"] == 250_000 * USD
    assert stablecoin.balanceOf(lender) == 250_000 * USD
    assert funded_pool.balanceOf(lender) == (DEPOSIT - 250_000 * USD) * SHARES_PER_ASSET


def test_withdrawals_are_capped_by_idle_cash(funded_pool, lent, lender):
    cash = DEPOSIT - 10_000 * USD
    assert funded_pool.totalAssets() == DEPOSIT
    assert funded_pool.maxWithdraw(lender) == cash
    assert funded_pool.maxRedeem(lender) == funded_pool.convertToShares(cash)
    with brownie.reverts(custom_error(funded_pool, "ERC4626ExceededMaxWithdraw", lender.address, cash + 1, cash)):
        funded_pool.withdraw(cash + 1, lender, lender, {"from": lender})
    # The open loan accrues interest every second, so the share price (and maxRedeem) moves between blocks on a
    # slow machine: the refusal is checked for this owner, past what can be redeemed when the call was made.
    shares = funded_pool.maxRedeem(lender)
    with brownie.reverts(revert_pattern=f"ERC4626ExceededMaxRedeem: {lender.address.lower()}, {shares + 1}, .*"):
        funded_pool.redeem(shares + 1, lender, lender, {"from": lender})
    funded_pool.withdraw(cash, lender, lender, {"from": lender})
    assert funded_pool.maxWithdraw(lender) == 0


def test_interest_raises_the_share_price(
    funded_pool, stablecoin, feed, owner, lent, collateralised, lender, accounts, chain
):
    late_lender = accounts[6]
    chain.sleep(180 * 24 * 3600)
    feed.setAnswer(INITIAL_PRICE, {"from": owner})
    stablecoin.mint(collateralised, 1_000 * USD, {"from": collateralised})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": collateralised})
    repaid = funded_pool.repay(lent, MAX_UINT, {"from": collateralised}).return_value
    interest = repaid - 10_000 * USD
    assert interest > 0
    assert funded_pool.totalAssets() == DEPOSIT + interest
    assert funded_pool.convertToAssets(funded_pool.balanceOf(lender)) == DEPOSIT + interest - 1  # virtual share

    stablecoin.mint(late_lender, 100_000 * USD, {"from": late_lender})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": late_lender})
    funded_pool.deposit(100_000 * USD, late_lender, {"from": late_lender})
    assert funded_pool.balanceOf(late_lender) < 100_000 * USD * SHARES_PER_ASSET  # buys in at the higher price


def test_bad_debt_lowers_the_share_price(funded_pool, stablecoin, feed, owner, lent, liquidator, lender):
    feed.setAnswer(10**PRICE_DECIMALS, {"from": owner})  # 10 mETH now worth 10 mUSD against 10,000 owed
    stablecoin.mint(liquidator, 100 * USD, {"from": liquidator})
    stablecoin.approve(funded_pool, MAX_UINT, {"from": liquidator})
    bad_debt = funded_pool.liquidate(lent, {"from": liquidator}).events["LoanLiquidated"]["badDebt"]
    assert bad_debt > 9_990 * USD
    assert funded_pool.totalAssets() == stablecoin.balanceOf(funded_pool)
    assert funded_pool.convertToAssets(funded_pool.balanceOf(lender)) < DEPOSIT - 9_990 * USD


def test_first_depositor_donation_cannot_take_the_next_deposit(pool, stablecoin, accounts):
    """The classic attack on an empty vault: deposit 1 unit, donate to inflate the share price, and let the next
    deposit's shares round down. The virtual shares leave the victim's 1,000,000 mUSD worth 1,000,000 mUSD less a
    rounding that costs the attacker a million times more than it takes."""
    attacker, victim = accounts[7], accounts[8]
    donation = 500_000 * USD
    for account, amount in ((attacker, 1 + donation), (victim, DEPOSIT)):
        stablecoin.mint(account, amount, {"from": account})
        stablecoin.approve(pool, MAX_UINT, {"from": account})
    pool.deposit(1, attacker, {"from": attacker})
    stablecoin.transfer(pool, donation, {"from": attacker})

    pool.deposit(DEPOSIT, victim, {"from": victim})

    assert pool.balanceOf(victim) > 0
    assert pool.convertToAssets(pool.balanceOf(victim)) >= DEPOSIT - USD  # loses under 1 mUSD of 1,000,000
    assert pool.convertToAssets(pool.balanceOf(attacker)) < donation * 51 // 100  # half the donation is lost
