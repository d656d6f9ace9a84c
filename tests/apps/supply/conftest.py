"""Fixtures for the supply-chain escrow: a token, the two models on the coordinator, parties with roles."""

import hashlib

import pytest

from tests.apps.supply.shipments import (
    CONDITION_FEE_WEI,
    CONDITION_MODEL_ID,
    DELAY_FEE_WEI,
    DELAY_MODEL_ID,
    PRICE,
    SETTINGS,
    EscrowDriver,
)
from tests.helpers import flat_pricing

BUYER_FUNDS = 100 * PRICE


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a snapshot of the chain, reverted after it."""


@pytest.fixture(scope="module")
def buyer(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def supplier(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def carrier(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def gateway(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def arbiter(accounts):
    return accounts[7]


@pytest.fixture(scope="module")
def supply_models(coordinator, owner):
    """Registers shipment-condition and delivery-delay (test hashes, different fees) on the coordinator."""
    for model, fee in ((CONDITION_MODEL_ID, CONDITION_FEE_WEI), (DELAY_MODEL_ID, DELAY_FEE_WEI)):
        artifact = hashlib.sha256(b"artifact " + model).digest()
        schema = hashlib.sha256(b"schema " + model).digest()
        coordinator.registerModel(model, artifact, schema, flat_pricing(fee), {"from": owner})
    return coordinator


@pytest.fixture(scope="module")
def token(MisbehavingEscrowToken, owner, buyer):
    deployed = MisbehavingEscrowToken.deploy({"from": owner})
    deployed.mint(buyer, BUYER_FUNDS, {"from": owner})
    return deployed


@pytest.fixture(scope="module")
def escrow(SupplyChainEscrow, supply_models, token, owner, buyer, gateway, arbiter):
    deployed = SupplyChainEscrow.deploy(supply_models, owner, SETTINGS, {"from": owner})
    deployed.grantRole(deployed.GATEWAY_ROLE(), gateway, {"from": owner})
    deployed.grantRole(deployed.ARBITER_ROLE(), arbiter, {"from": owner})
    token.approve(deployed, 2**256 - 1, {"from": buyer})
    return deployed


@pytest.fixture(scope="module")
def driver(escrow, token, coordinator, oracle_signers, relayer, chain, buyer, supplier, carrier, gateway, arbiter):
    return EscrowDriver(
        escrow, token, coordinator, oracle_signers[0], relayer, chain, buyer, supplier, carrier, gateway, arbiter
    )
