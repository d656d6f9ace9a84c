"""Chain fixtures shared by the contract and integration tests: a coordinator with deterministic signer keys on anvil."""

import pytest
from eth_account import Account
from eth_utils import keccak

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner
from tests.helpers import ARTIFACT_HASH, FEE_WEI, MODEL_ID, SCHEMA_HASH, flat_pricing, request_prediction

SIGNER_KEYS = [keccak(text=f"test oracle signer {i}") for i in range(5)]


@pytest.fixture(scope="module")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def user(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def relayer(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def signer_accounts():
    return [Account.from_key(key) for key in SIGNER_KEYS]


@pytest.fixture(scope="module")
def coordinator(OracleCoordinator, owner, signer_accounts):
    deployed = OracleCoordinator.deploy(owner, [signer_accounts[0].address], 1, {"from": owner})
    deployed.registerModel(MODEL_ID, ARTIFACT_HASH, SCHEMA_HASH, flat_pricing(FEE_WEI), {"from": owner})
    return deployed


@pytest.fixture(scope="module")
def domain(coordinator, chain):
    return CoordinatorDomain(chain.id, coordinator.address)


@pytest.fixture(scope="module")
def oracle_signers(signer_accounts, domain):
    """ObservationSigners for every test key; only the first is registered unless a test adds more."""
    return [ObservationSigner(account, domain) for account in signer_accounts]


@pytest.fixture(scope="module")
def consumer(ConsumerMock, coordinator, owner):
    return ConsumerMock.deploy(coordinator, {"from": owner})


@pytest.fixture
def three_of_five(coordinator, owner, signer_accounts):
    """Registers all five test signers and sets the threshold to three."""
    for account in signer_accounts[1:]:
        coordinator.addSigner(account.address, {"from": owner})
    coordinator.setThreshold(3, {"from": owner})
    return coordinator


@pytest.fixture
def pending(consumer, user, chain):
    """A fresh request from the consumer: (requestId, committed Request)."""
    request_id, request, _ = request_prediction(consumer, user, chain)
    return request_id, request
