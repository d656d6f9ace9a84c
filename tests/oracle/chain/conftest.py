"""Transaction-manager fixtures: a funded fresh key, a web3 client of its own, and a journal in a fresh database."""

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from oracle.chain.tx_manager import TransactionManager
from oracle.store.database import Database
from oracle.store.transactions import TransactionJournal
from tests.oracle.chain.helpers import calldata

SENDER_KEY = keccak(text="tx manager test sender")


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a snapshot of the chain, reverted after it."""


@pytest.fixture(scope="module")
def sender(accounts):
    """A key only the transaction manager signs with, funded before the tests' snapshots."""
    account = Account.from_key(SENDER_KEY)
    accounts[0].transfer(account.address, "100 ether")
    return account


@pytest.fixture(scope="module")
def target(TxTarget, owner):
    return TxTarget.deploy({"from": owner})


@pytest.fixture(scope="module")
def w3(web3):
    """A plain web3 client on the test chain, as the node builds one (not brownie's)."""
    return Web3(Web3.HTTPProvider(web3.provider.endpoint_uri))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "node.sqlite3"


@pytest.fixture
def db(db_path):
    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture
def journal(db):
    return TransactionJournal(db)


@pytest.fixture
def make_manager(w3, sender, target, coordinator, rpc):
    """Builds a TransactionManager for `sender` on `journal`; its error ABI is the target's and the coordinator's."""

    def make(journal: TransactionJournal, *, error_abi: list[dict] | None = None, **settings) -> TransactionManager:
        if error_abi is None:
            error_abi = [*target.abi, *coordinator.abi]
        return TransactionManager(w3, sender, journal, error_abi=error_abi, **settings)

    return make


@pytest.fixture
def manager(make_manager, journal):
    return make_manager(journal)


@pytest.fixture
def poke(target):
    """Calldata of target.poke(value)."""

    def encode(value: int) -> bytes:
        return calldata(target.poke, value)

    return encode
