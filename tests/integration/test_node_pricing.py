"""The node answers only requests whose fee pays for their answer at the chain's gas price; the others expire
unanswered and the consumer gets its fee back. (At anvil's usual price every other integration test's requests pay.)"""

import pytest

from oracle.chain.pricing import AnswerPricing, ModelPricing, answer_gas, pays
from oracle.config import load_settings
from oracle.runtime import Runtime
from oracle.store.requests import State
from oracle.types import Request
from scripts.node_process import REPO
from tests.chain_fixtures import SIGNER_KEYS
from tests.helpers import after_deadline
from tests.integration.conftest import CALLBACK_GAS
from tests.model_fixtures import FEE_WEI

GWEI = 10**9


def test_pays_compares_the_fee_with_the_answer_gas_at_the_price():
    request = Request(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, 10**15, 0, 200_000)
    price = request.fee_wei // answer_gas(200_000, 3)
    assert pays(request, 3, price)
    assert not pays(request, 3, price + 1)
    assert not pays(request, 4, price)  # one more signature to pay for


def test_model_pricing_request_fee_pays_the_answer_at_its_gas_price():
    pricing = ModelPricing(fee_wei=0, gas_price_wei=20 * GWEI, max_callback_gas_limit=500_000)
    request = Request(
        b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, pricing.request_fee(500_000, 3), 0, 500_000
    )
    assert pays(request, 3, 20 * GWEI) and not pays(request, 3, 20 * GWEI + 1)


@pytest.fixture
def node(web3, served_coordinator, tmp_path):
    settings = load_settings(
        environ={},
        rpc_url=web3.provider.endpoint_uri,
        coordinator=served_coordinator.address,
        private_key="0x" + SIGNER_KEYS[0].hex(),
        models_dir=str(REPO / "models"),
        models=["credit-risk"],
        database=str(tmp_path / "oracle.db"),
        confirmations=0,
    )
    node = Runtime(settings).node()
    node.start()
    return node


def test_underpaid_request_is_declined_then_expires_and_is_refunded(
    node, web3, rpc, requests, requester, served_coordinator, held_out_rows, relayer, chain
):
    # 100 gwei: the answer's ~207k gas costs ~0.02 ETH, twenty times the 0.001 ETH fee.
    rpc("anvil_setNextBlockBaseFeePerGas", hex(100 * GWEI))
    [underpaid] = requests.send([held_out_rows[0][0]], ttl=120)
    price = AnswerPricing(web3, lambda: 1).gas_price()
    assert FEE_WEI < answer_gas(CALLBACK_GAS, 1) * price
    for _ in range(3):
        node.tick()
    assert node._store.get(underpaid).state == State.SEEN
    assert not requests.answers()

    stored = node._store.get(underpaid)
    after_deadline(chain, stored.request.deadline)
    node.tick()
    assert node._store.get(underpaid).state == State.EXPIRED
    rpc("anvil_setNextBlockBaseFeePerGas", "0x0")  # for brownie's zero-priced transactions
    rpc("evm_mine")
    served_coordinator.cancel(underpaid, stored.request.as_abi(), {"from": relayer})
    assert served_coordinator.balanceOf(requester) == FEE_WEI
    assert underpaid not in requests.answers()
