"""Lending pool fixtures: the real credit-risk model registered on a coordinator, mock tokens and feed, a funded pool."""

import pytest

from oracle.ml.model import LoadedModel
from oracle.types import model_id
from tests.apps.lending.lending import (
    COLLATERAL_UNIT,
    INITIAL_PRICE,
    MODEL_DIR,
    POLICY,
    PRICE_DECIMALS,
    SETTINGS,
    USD,
    held_out_rows,
)
from tests.attestations import BUREAU_KEY, Attester
from tests.helpers import FEE_WEI, flat_pricing

CREDIT_RISK = model_id("credit-risk")


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a snapshot of the chain, reverted after it."""


@pytest.fixture(scope="session")
def credit_model():
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="session")
def rows(credit_model):
    return held_out_rows(credit_model.schema, 40)


@pytest.fixture(scope="module")
def coordinator(OracleCoordinator, owner, signer_accounts, credit_model):
    """The coordinator with credit-risk registered by the sha256 of its real artifact and schema."""
    deployed = OracleCoordinator.deploy(owner, [signer_accounts[0].address], 1, {"from": owner})
    deployed.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, flat_pricing(FEE_WEI), {"from": owner}
    )
    return deployed


@pytest.fixture(scope="module")
def lender(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def borrower(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def liquidator(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def stablecoin(MockStablecoin, owner):
    return MockStablecoin.deploy("Mock USD", "mUSD", 6, owner, {"from": owner})


@pytest.fixture(scope="module")
def collateral(MockCollateralToken, owner):
    return MockCollateralToken.deploy("Mock Ether", "mETH", 18, owner, {"from": owner})


@pytest.fixture(scope="module")
def feed(MockPriceFeed, owner):
    return MockPriceFeed.deploy(PRICE_DECIMALS, "mETH / mUSD", INITIAL_PRICE, owner, {"from": owner})


@pytest.fixture(scope="module")
def attestation_registry(AttestationRegistry, coordinator, owner, chain):
    """The coordinator's AttestationRegistry, trusting the test credit bureau for credit-risk."""
    registry = AttestationRegistry.deploy(owner, {"from": owner})
    registry.setAttester(
        CREDIT_RISK, Attester.of(BUREAU_KEY, chain.id, registry.address).address, True, {"from": owner}
    )
    coordinator.setAttestationRegistry(registry, {"from": owner})
    return registry


@pytest.fixture(scope="module")
def bureau(attestation_registry, chain):
    return Attester.of(BUREAU_KEY, chain.id, attestation_registry.address)


@pytest.fixture(scope="module")
def pool(LendingPool, stablecoin, collateral, feed, coordinator, attestation_registry, owner):
    return LendingPool.deploy(
        stablecoin,
        collateral,
        feed,
        coordinator,
        CREDIT_RISK,
        POLICY.as_abi(),
        SETTINGS.as_abi(),
        owner,
        {"from": owner},
    )


@pytest.fixture(scope="module")
def funded_pool(pool, stablecoin, lender):
    """The pool with 1,000,000 mUSD from one lender."""
    stablecoin.mint(lender, 1_000_000 * USD, {"from": lender})
    stablecoin.approve(pool, 2**256 - 1, {"from": lender})
    pool.deposit(1_000_000 * USD, lender, {"from": lender})
    return pool


@pytest.fixture(scope="module")
def collateralised(collateral, pool, borrower):
    """The borrower holds 10 mETH and has approved the pool."""
    collateral.mint(borrower, 10 * COLLATERAL_UNIT, {"from": borrower})
    collateral.approve(pool, 2**256 - 1, {"from": borrower})
    return borrower
