"""The callback gets exactly its gas limit or the fulfilment reverts: a relayer's gas limit can never make a
callback fail while the request is deleted, down to the smallest gas limits where the exact-gas check itself
has too little gas to run."""

import pytest

from oracle.chain.codec import event_topic
from tests.helpers import request_prediction, signed_report

CALLBACK_GAS = 40_000
# What the probe's callback spends before it reads gasleft(): the ABI dispatch and the caller check.
ENTRY_GAS = 1_500


@pytest.fixture
def probe(GasProbeConsumer, coordinator, owner):
    return GasProbeConsumer.deploy(coordinator, {"from": owner})


def test_fulfil_reverts_or_gives_the_callback_its_whole_limit_at_every_gas_limit(
    coordinator, probe, user, relayer, chain, oracle_signers, web3
):
    """Transactions sent through web3 (brownie traces every reverted one, too slow for a sweep)."""
    failed_topic = event_topic("CallbackFailed")
    contract = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)

    def fulfil(gas_limit: int):
        request_id, request, _ = request_prediction(probe, user, chain, callback_gas=CALLBACK_GAS)
        report, signatures = signed_report(oracle_signers[:1], request_id, request, [5])
        tx = contract.functions.fulfill(report, signatures).build_transaction(
            {"from": relayer.address, "gas": gas_limit, "nonce": web3.eth.get_transaction_count(relayer.address)}
        )
        receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_transaction(tx))
        failed = any(bytes(log["topics"][0]) == failed_topic for log in receipt["logs"])
        return request_id, receipt, failed

    _, generous, failed = fulfil(1_000_000)
    assert generous["status"] == 1 and not failed
    # From about the least a fulfilment transaction can start with to enough: in between, the exact-gas check has
    # under its 5,000-gas reserve left (where an unchecked subtraction used to underflow), then under 64/63 of the
    # callback's limit.
    outcomes = set()
    for gas_limit in range(34_000, generous["gasUsed"] + CALLBACK_GAS + 2_000, 1_499):
        request_id, receipt, failed = fulfil(gas_limit)
        if receipt["status"] == 0:
            assert coordinator.commitmentOf(request_id) != "0x" + "00" * 32  # still pending, answerable again
            outcomes.add("reverted")
        else:
            assert not failed, gas_limit
            assert probe.gasAtCallback() >= CALLBACK_GAS - ENTRY_GAS, gas_limit
            outcomes.add("answered")
    assert outcomes == {"reverted", "answered"}
