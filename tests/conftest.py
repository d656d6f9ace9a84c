"""The shared fixtures, loaded once for every test directory: the chain's (brownie on anvil: accounts, a
coordinator, its signers), the real credit-risk model's on a coordinator, and PostgreSQL's.

None of them is autouse: each directory whose tests change the chain says in its own conftest.py how they are
isolated (brownie's fn_isolation or module_isolation), so that tests that never touch the chain pay for no
snapshots."""

import pytest

pytest_plugins = ["tests.chain_fixtures", "tests.model_fixtures", "tests.postgres"]


# Here rather than in tests/chain_fixtures.py: brownie's plugin has an `rpc` fixture too (its Rpc object), and of
# two plugins' fixtures of one name the one registered last wins, which is brownie's; a conftest's wins over both.
@pytest.fixture
def rpc(web3, isolation):
    """Calls an anvil RPC method. Before the test's snapshot is reverted, the pool is emptied, automining is back on
    and the next base fee is 0 again (anvil's fee state, unlike its chain state, survives the revert)."""

    def call(method: str, *params):
        response = web3.provider.make_request(method, list(params))
        assert "error" not in response, response
        return response.get("result")

    yield call
    call("anvil_dropAllTransactions")
    call("evm_setAutomine", True)
    call("anvil_setNextBlockBaseFeePerGas", "0x0")
    call("evm_mine")
