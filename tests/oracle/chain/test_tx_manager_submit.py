"""TransactionManager.submit against anvil: simulation and revert decoding, fees, nonces, the in-flight cap."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_utils import function_abi_to_4byte_selector, keccak
from web3.logs import DISCARD

from oracle.chain.tx_manager import InFlightLimitReached, TransactionRejected, TxOutcome, TxSettingsError
from oracle.types import Request, input_hash
from tests.helpers import ARTIFACT_HASH, CALLBACK_GAS, FEATURES, FEE_WEI, MODEL_ID, signed_report
from tests.oracle.chain.helpers import calldata, poll_until_final

GWEI = 10**9


def test_submitted_call_is_mined_and_poll_returns_its_receipt(manager, journal, target, poke, sender, w3):
    tx_id = manager.submit(target.address, poke(7))

    outcomes = poll_until_final(manager, 1)

    tx = journal.get(tx_id)
    [outcome] = outcomes
    receipt = outcome.receipt
    assert outcome == TxOutcome(
        tx_id,
        "mined",
        tx.attempts[0].tx_hash,
        receipt["blockNumber"],
        receipt["gasUsed"],
        receipt["effectiveGasPrice"],
        receipt,
    )
    assert receipt["status"] == 1
    assert bytes(receipt["transactionHash"]) == tx.attempts[0].tx_hash
    logs = w3.eth.contract(address=target.address, abi=target.abi).events.Poked().process_receipt(receipt)
    assert [(log["args"]["caller"], log["args"]["value"]) for log in logs] == [(sender.address, 7)]
    assert (tx.state, tx.mined_hash, tx.block_number, tx.gas_used) == (
        "mined",
        outcome.tx_hash,
        outcome.block_number,
        outcome.gas_used,
    )
    assert target.pokes() == 1
    assert manager.poll() == []
    assert manager.in_flight() == 0


def test_submitted_fulfilment_settles_the_request_on_the_coordinator(manager, coordinator, pending, oracle_signers, w3):
    request_id, request = pending
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [6_100])

    manager.submit(coordinator.address, calldata(coordinator.fulfill, report, signatures))
    [outcome] = poll_until_final(manager, 1)

    assert outcome.state == "mined"
    events = w3.eth.contract(address=coordinator.address, abi=coordinator.abi).events
    [fulfilled] = events.PredictionFulfilled().process_receipt(outcome.receipt, errors=DISCARD)
    assert bytes(fulfilled["args"]["requestId"]) == request_id
    assert bytes(coordinator.commitmentOf(request_id)) == bytes(32)


def test_simulated_revert_raises_the_coordinators_custom_error_and_sends_nothing(
    manager, journal, coordinator, consumer, oracle_signers, sender, w3, chain
):
    unknown_id = keccak(text="never requested")
    request = _request_for(consumer, chain)
    report, signatures = signed_report(oracle_signers[:1], unknown_id, request, [1])

    with pytest.raises(TransactionRejected) as rejected:
        manager.submit(coordinator.address, calldata(coordinator.fulfill, report, signatures))

    assert rejected.value.error_name == "OracleCoordinatorUnknownRequest"
    assert rejected.value.args == (unknown_id,)
    assert rejected.value.selector == _selector(coordinator, "OracleCoordinatorUnknownRequest")
    assert rejected.value.data == rejected.value.selector + unknown_id
    assert "OracleCoordinatorUnknownRequest" in str(rejected.value)
    assert journal.stats().pending == 0
    assert w3.eth.get_transaction_count(sender.address, "pending") == 0


def test_simulated_revert_decodes_a_custom_error_with_several_arguments(manager, target, owner, poke, sender):
    target.setClosed(True, {"from": owner})

    with pytest.raises(TransactionRejected) as rejected:
        manager.submit(target.address, poke(9))

    assert rejected.value.error_name == "TxTargetClosed"
    assert rejected.value.args == (sender.address, 9)
    assert rejected.value.selector == _selector(target, "TxTargetClosed")


def test_simulated_revert_decodes_error_string(manager, target):
    with pytest.raises(TransactionRejected) as rejected:
        manager.submit(target.address, calldata(target.failWithReason, "not today"))

    assert (rejected.value.error_name, rejected.value.args) == ("Error", ("not today",))
    assert rejected.value.selector == bytes.fromhex("08c379a0")


def test_simulated_revert_decodes_panic(manager, target):
    with pytest.raises(TransactionRejected) as rejected:
        manager.submit(target.address, calldata(target.divide, 0))

    assert (rejected.value.error_name, rejected.value.args) == ("Panic", (0x12,))


def test_simulated_revert_with_a_selector_missing_from_the_abi_keeps_the_raw_data(
    make_manager, journal, target, owner, poke, sender
):
    manager = make_manager(journal, error_abi=[])
    target.setClosed(True, {"from": owner})

    with pytest.raises(TransactionRejected) as rejected:
        manager.submit(target.address, poke(3))

    assert (rejected.value.error_name, rejected.value.args) == (None, ())
    assert rejected.value.selector == _selector(target, "TxTargetClosed")
    assert rejected.value.data[4:] == bytes(12) + bytes.fromhex(sender.address[2:]) + (3).to_bytes(32, "big")
    assert "unknown error" in str(rejected.value)


def test_fees_are_twice_the_base_fee_plus_the_nodes_priority_fee(manager, journal, target, poke, rpc, w3):
    rpc("anvil_setNextBlockBaseFeePerGas", hex(3 * GWEI))
    rpc("evm_mine")
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    priority_fee = w3.eth.max_priority_fee

    tx_id = manager.submit(target.address, poke(1))

    attempt = journal.get(tx_id).latest_attempt
    assert base_fee == 3 * GWEI
    assert (attempt.max_fee_per_gas, attempt.max_priority_fee_per_gas) == (2 * base_fee + priority_fee, priority_fee)
    sent = w3.eth.get_transaction(attempt.tx_hash)
    assert (sent["type"], sent["maxFeePerGas"], sent["maxPriorityFeePerGas"]) == (
        2,
        2 * base_fee + priority_fee,
        priority_fee,
    )
    assert [o.state for o in poll_until_final(manager, 1)] == ["mined"]


def test_max_fee_is_capped(make_manager, journal, target, poke, rpc, w3):
    rpc("anvil_setNextBlockBaseFeePerGas", hex(3 * GWEI))
    rpc("evm_mine")
    manager = make_manager(journal, max_fee_per_gas_cap=3 * GWEI + GWEI // 2)

    tx_id = manager.submit(target.address, poke(1))

    attempt = journal.get(tx_id).latest_attempt
    assert attempt.max_fee_per_gas == 3 * GWEI + GWEI // 2
    assert attempt.max_priority_fee_per_gas == min(w3.eth.max_priority_fee, attempt.max_fee_per_gas)
    assert [o.state for o in poll_until_final(manager, 1)] == ["mined"]


def test_gas_limit_is_the_estimate_times_the_multiplier_unless_given(make_manager, journal, target, poke, w3, sender):
    manager = make_manager(journal, gas_multiplier=1.5)
    estimate = w3.eth.estimate_gas({"from": sender.address, "to": target.address, "data": poke(4)})

    estimated = manager.submit(target.address, poke(4))
    given = manager.submit(target.address, poke(5), gas_limit=123_456)

    assert journal.get(estimated).gas_limit == -(-estimate * 3 // 2)
    assert journal.get(given).gas_limit == 123_456
    assert w3.eth.get_transaction(journal.get(given).attempts[0].tx_hash)["gas"] == 123_456


def test_nonces_are_consecutive_across_many_submits(make_manager, journal, target, poke, sender, w3, rpc):
    manager = make_manager(journal, max_in_flight=10)
    rpc("evm_setAutomine", False)  # all ten wait in the pool: the journal, not the chain, supplies later nonces

    tx_ids = [manager.submit(target.address, poke(value)) for value in range(1, 11)]
    rpc("evm_mine")
    outcomes = manager.poll()

    assert [journal.get(tx_id).nonce for tx_id in tx_ids] == list(range(10))
    assert sorted(o.tx_id for o in outcomes) == tx_ids
    assert {o.state for o in outcomes} == {"mined"}
    assert target.pokes() == 10
    assert w3.eth.get_transaction_count(sender.address) == 10


def test_concurrent_submits_while_polling_use_each_nonce_once(make_manager, journal, target, poke, sender, w3):
    manager = make_manager(journal, max_in_flight=12)
    outcomes = []

    def submit_six(first_value: int) -> list[int]:
        return [manager.submit(target.address, poke(first_value + i)) for i in range(6)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        batches = [pool.submit(submit_six, start) for start in (100, 200)]
        while not all(batch.done() for batch in batches):
            outcomes += manager.poll()
        tx_ids = [tx_id for batch in batches for tx_id in batch.result()]
    outcomes += poll_until_final(manager, 12 - len(outcomes))

    assert sorted(journal.get(tx_id).nonce for tx_id in tx_ids) == list(range(12))
    assert sorted(o.tx_id for o in outcomes) == sorted(tx_ids)
    assert {o.state for o in outcomes} == {"mined"}
    assert target.pokes() == 12
    assert w3.eth.get_transaction_count(sender.address) == 12


def test_submit_at_the_in_flight_cap_raises_and_sends_nothing(make_manager, journal, target, poke, sender, w3):
    manager = make_manager(journal, max_in_flight=2)
    manager.submit(target.address, poke(1))
    manager.submit(target.address, poke(2))

    assert (manager.in_flight(), manager.capacity()) == (2, 0)
    with pytest.raises(InFlightLimitReached, match="2 transactions already in flight"):
        manager.submit(target.address, poke(3))
    assert w3.eth.get_transaction_count(sender.address, "pending") == 2

    assert len(poll_until_final(manager, 2)) == 2
    assert (manager.in_flight(), manager.capacity()) == (0, 2)
    manager.submit(target.address, poke(3))
    assert len(poll_until_final(manager, 1)) == 1
    assert target.pokes() == 3


def test_resubmitting_a_pending_call_returns_its_tx_id_and_sends_nothing(manager, journal, target, poke, sender, w3):
    tx_id = manager.submit(target.address, poke(1))

    assert manager.submit(target.address, poke(1)) == tx_id
    assert w3.eth.get_transaction_count(sender.address, "pending") == 1

    assert [o.tx_id for o in poll_until_final(manager, 1)] == [tx_id]
    again = manager.submit(target.address, poke(1))  # no longer pending: a new transaction
    assert again != tx_id
    assert journal.get(again).nonce == 1


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("fee_bump_percent", 9, "fee_bump_percent must be at least 10"),
        ("max_in_flight", 0, "max_in_flight must be at least 1"),
        ("stuck_after_blocks", 0, "stuck_after_blocks must be at least 1"),
        ("max_fee_per_gas_cap", 0, "max_fee_per_gas_cap must be positive"),
        ("gas_multiplier", 0.9, "gas_multiplier must be at least 1.0"),
    ],
)
def test_settings_out_of_range_are_refused(make_manager, journal, setting, value, message):
    with pytest.raises(TxSettingsError, match=message):
        make_manager(journal, **{setting: value})


def _selector(contract, name: str) -> bytes:
    entry = next(item for item in contract.abi if item["type"] == "error" and item["name"] == name)
    return function_abi_to_4byte_selector(entry)


def _request_for(consumer, chain) -> Request:
    """A well-formed request the coordinator never received."""
    deadline = chain[-1].timestamp + 600
    return Request(MODEL_ID, ARTIFACT_HASH, input_hash(FEATURES), consumer.address, FEE_WEI, deadline, CALLBACK_GAS)
