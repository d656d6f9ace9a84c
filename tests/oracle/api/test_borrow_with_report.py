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
from tests.attestations import BUREAU_KEY, Attester, commitment, random_salt
from tests.helpers import plain

CREDIT_RISK = model_id("credit-risk")


@pytest.fixture(scope="module")
def bureau(AttestationRegistry, served_coordinator, owner, chain):
    """A credit bureau the model owner trusts, on a registry the served coordinator names."""
    registry = AttestationRegistry.deploy(owner, {"from": owner})
    served_coordinator.setAttestationRegistry(registry, {"from": owner})
    attester = Attester.of(BUREAU_KEY, chain.id, registry.address)
    registry.setAttester(CREDIT_RISK, attester.address, True, {"from": owner})
    registry.setAttestationRequired(CREDIT_RISK, True, {"from": owner})
    return attester


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


def attested_body(bureau, borrower, pool, features, chain, **changes):
    salt = random_salt()
    expires = chain.time() + 3_600
    signature = bureau.sign(borrower.address, CREDIT_RISK, commitment(salt, features), expires)
    body = {
        "model": "credit-risk",
        "features": list(features),
        "subject": borrower.address,
        "consumer": pool.address,
        "salt": "0x" + salt.hex(),
        "attestation": {"expires_at": expires, "signature": "0x" + signature.hex()},
    }
    return {**body, **changes}, expires, signature


@pytest.mark.usefixtures("fn_isolation")
def test_api_report_is_accepted_by_borrow_with_report(client, keys, held_out_rows, pool, bureau, accounts, chain):
    pool, stablecoin = pool
    borrower = accounts[4]
    features, expected_pd = held_out_rows[0]  # 426 bps: approved by the pool's policy
    body, expires, signature = attested_body(bureau, borrower, pool, features, chain)
    response = client.post("/v1/predictions", json=body, headers=keys.predict)
    assert response.status_code == 200, response.text
    abi = response.json()["abi"]

    tx = pool.borrowWithReport(
        abi["report"],
        abi["signatures"],
        COLLATERAL_UNIT,
        1_000 * USD,
        500 * USD,
        expires,
        signature,
        {"from": borrower},
    )

    loan = loan_of(pool, tx.return_value)
    assert (loan["status"], loan["pdBps"]) == (LoanStatus.ACTIVE, expected_pd)
    assert plain(stablecoin.balanceOf(borrower)) == 500 * USD
    assert tx.events["LoanDecided"]["pdBps"] == expected_pd


def test_api_refuses_an_edited_feature_under_the_old_attestation(
    client, keys, held_out_rows, pool, bureau, accounts, chain
):
    pool, _ = pool
    borrower = accounts[4]
    features, _ = held_out_rows[1]
    body, _, _ = attested_body(bureau, borrower, pool, features, chain)
    edited = list(features)
    edited[4] *= 3  # income tripled after the bureau attested it
    response = client.post("/v1/predictions", json={**body, "features": edited}, headers=keys.predict)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.attestation"
    assert "not a trusted attester" in response.json()["error"]["details"][0]["reason"]


def test_api_refuses_an_unattested_request_for_a_model_that_requires_it(
    client, keys, held_out_rows, pool, bureau, accounts
):
    pool, _ = pool
    borrower = accounts[4]
    body = {
        "model": "credit-risk",
        "features": list(held_out_rows[1][0]),
        "subject": borrower.address,
        "consumer": pool.address,
    }
    response = client.post("/v1/predictions", json=body, headers=keys.predict)
    assert response.status_code == 422
    assert "requires one" in response.json()["error"]["details"][0]["reason"]
