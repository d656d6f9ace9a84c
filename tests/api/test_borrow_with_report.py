"""A report from POST /v1/predictions, passed as returned, gives an instant loan from LendingPool.borrowWithReport."""

import pytest

from oracle.types import model_id
from tests.apps.lending.lending import (
    COLLATERAL_UNIT,
    INITIAL_PRICE,
    POLICY,
    PRICE_DECIMALS,
    SETTINGS,
    USD,
    LoanStatus,
    loan_of,
)
from tests.helpers import plain

CREDIT_RISK = model_id("credit-risk")


@pytest.fixture(scope="module")
def pool(LendingPool, MockStablecoin, MockCollateralToken, MockPriceFeed, served_coordinator, owner, accounts):
    stablecoin = MockStablecoin.deploy("Mock USD", "mUSD", 6, owner, {"from": owner})
    collateral = MockCollateralToken.deploy("Mock Ether", "mETH", 18, owner, {"from": owner})
    feed = MockPriceFeed.deploy(PRICE_DECIMALS, "mETH / mUSD", INITIAL_PRICE, owner, {"from": owner})
    pool = LendingPool.deploy(
        stablecoin,
        collateral,
        feed,
        served_coordinator,
        CREDIT_RISK,
        POLICY.as_abi(),
        SETTINGS.as_abi(),
        owner,
        {"from": owner},
    )
    lender, borrower = accounts[3], accounts[4]
    stablecoin.mint(lender, 100_000 * USD, {"from": lender})
    stablecoin.approve(pool, 2**256 - 1, {"from": lender})
    pool.deposit(100_000 * USD, lender, {"from": lender})
    collateral.mint(borrower, 10 * COLLATERAL_UNIT, {"from": borrower})
    collateral.approve(pool, 2**256 - 1, {"from": borrower})
    return pool, stablecoin


@pytest.mark.usefixtures("fn_isolation")
def test_api_report_is_accepted_by_borrow_with_report(client, keys, held_out_rows, pool, accounts):
    pool, stablecoin = pool
    borrower = accounts[4]
    features, expected_pd = held_out_rows[0]  # 426 bps: approved by the pool's policy
    response = client.post(
        "/v1/predictions",
        json={"model": "credit-risk", "features": list(features), "subject": borrower.address},
        headers=keys.predict,
    )
    assert response.status_code == 200, response.text
    abi = response.json()["abi"]

    tx = pool.borrowWithReport(
        abi["report"], abi["signatures"], COLLATERAL_UNIT, 1_000 * USD, 500 * USD, {"from": borrower}
    )

    loan = loan_of(pool, tx.return_value)
    assert (loan["status"], loan["pdBps"]) == (LoanStatus.ACTIVE, expected_pd)
    assert plain(stablecoin.balanceOf(borrower)) == 500 * USD
    assert tx.events["LoanDecided"]["pdBps"] == expected_pd
