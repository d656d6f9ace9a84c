"""Requests pay for their callback gas: a base fee plus (callback gas limit + fulfilment gas) x the model's gas price,
with the callback gas limit capped per model."""

import brownie
import pytest

from oracle.chain.pricing import FULFILMENT_BASE_GAS, FULFILMENT_GAS_PER_SIGNER, ModelPricing
from tests.helpers import FEE_WEI, MODEL_ID, custom_error, request_prediction, signed_report

GAS_PRICE_WEI = 10 * 10**9  # 10 gwei
CAP = 1_000_000
PRICING = ModelPricing(FEE_WEI, GAS_PRICE_WEI, CAP)


@pytest.fixture
def priced(coordinator, owner):
    coordinator.setModelPricing(MODEL_ID, PRICING.as_abi(), {"from": owner})
    return coordinator


def test_fulfilment_gas_constants_match_the_node(coordinator):
    assert coordinator.FULFILMENT_BASE_GAS() == FULFILMENT_BASE_GAS
    assert coordinator.FULFILMENT_GAS_PER_SIGNER() == FULFILMENT_GAS_PER_SIGNER


@pytest.mark.parametrize("callback_gas", [0, 200_000, CAP])
def test_request_fee_prices_the_callback_and_fulfilment_gas(priced, three_of_five, callback_gas):
    expected = FEE_WEI + (callback_gas + FULFILMENT_BASE_GAS + 3 * FULFILMENT_GAS_PER_SIGNER) * GAS_PRICE_WEI
    assert priced.requestFee(MODEL_ID, callback_gas) == expected == PRICING.request_fee(callback_gas, 3)


def test_request_reverts_if_fee_does_not_pay_the_callback_gas(priced, consumer, user, chain):
    required = PRICING.request_fee(CAP, 1)
    with brownie.reverts(custom_error(priced, "OracleCoordinatorFeeTooLow", required, FEE_WEI)):
        request_prediction(consumer, user, chain, callback_gas=CAP, fee_wei=FEE_WEI)


def test_request_reverts_if_callback_gas_above_model_cap(priced, consumer, user, chain):
    with brownie.reverts(custom_error(priced, "OracleCoordinatorCallbackGasTooHigh", CAP + 1, CAP)):
        request_prediction(consumer, user, chain, callback_gas=CAP + 1, fee_wei=PRICING.request_fee(CAP + 1, 1))


def test_request_keeps_what_it_paid_above_the_price_and_pays_it_to_the_signers(
    priced, consumer, user, relayer, chain, oracle_signers
):
    paid = PRICING.request_fee(200_000, 1) + 12_345
    request_id, request, _ = request_prediction(consumer, user, chain, callback_gas=200_000, fee_wei=paid)
    assert request.fee_wei == paid
    priced.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    assert priced.balanceOf(oracle_signers[0].address) == paid


def test_repricing_leaves_pending_requests_answerable_for_their_fee(
    priced, consumer, owner, user, relayer, chain, oracle_signers
):
    paid = PRICING.request_fee(200_000, 1)
    request_id, request, _ = request_prediction(consumer, user, chain, callback_gas=200_000, fee_wei=paid)
    priced.setModelPricing(MODEL_ID, (FEE_WEI, GAS_PRICE_WEI * 2, 100_000), {"from": owner})
    assert priced.requestFee(MODEL_ID, 200_000) > paid
    priced.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    assert priced.balanceOf(oracle_signers[0].address) == paid
