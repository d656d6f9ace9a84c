"""Revert data decoded by selector: custom errors from an ABI (addresses checksummed at any depth) and the built-ins."""

import pickle

from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector

from oracle.chain.reverts import RevertDecoder
from oracle.chain.tx_manager import TransactionRejected

TO = "0x3333333333333333333333333333333333333333"
ALICE = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
BOB = "0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2"

NESTED_ERROR = {
    "type": "error",
    "name": "ThingRefused",
    "inputs": [
        {"name": "who", "type": "address[]"},
        {
            "name": "detail",
            "type": "tuple",
            "components": [{"name": "owner", "type": "address"}, {"name": "amount", "type": "uint256"}],
        },
        {"name": "tag", "type": "bytes32"},
    ],
}
SELECTOR = function_abi_to_4byte_selector(NESTED_ERROR)


def test_custom_error_arguments_are_decoded_with_checksummed_addresses_inside_arrays_and_tuples():
    data = SELECTOR + encode(["address[]", "(address,uint256)", "bytes32"], [[ALICE, BOB], (BOB, 5), b"\x07" * 32])

    rejected = TransactionRejected(TO, RevertDecoder([NESTED_ERROR]).decode(data))

    assert rejected.error_name == "ThingRefused"
    assert rejected.args == ((ALICE, BOB), (BOB, 5), b"\x07" * 32)
    assert (rejected.selector, rejected.data, rejected.to) == (SELECTOR, data, TO)


def test_entries_other_than_errors_are_ignored():
    function_entry = {**NESTED_ERROR, "type": "function", "outputs": [], "stateMutability": "nonpayable"}
    data = SELECTOR + encode(["address[]", "(address,uint256)", "bytes32"], [[], (BOB, 1), bytes(32)])

    rejected = TransactionRejected(TO, RevertDecoder([function_entry]).decode(data))

    assert (rejected.error_name, rejected.args, rejected.selector) == (None, (), SELECTOR)


def test_malformed_data_under_a_known_selector_keeps_the_name_without_arguments():
    rejected = TransactionRejected(TO, RevertDecoder([NESTED_ERROR]).decode(SELECTOR + b"\x01\x02"))

    assert (rejected.error_name, rejected.args) == ("ThingRefused", ())
    assert rejected.data == SELECTOR + b"\x01\x02"


def test_revert_without_data_has_no_selector():
    rejected = TransactionRejected(TO, RevertDecoder([NESTED_ERROR]).decode(b""))

    assert (rejected.selector, rejected.error_name, rejected.args, rejected.data) == (None, None, (), b"")
    assert str(rejected) == f"call to {TO} reverts without data"


def test_error_string_and_panic_are_decoded_without_an_abi():
    decoder = RevertDecoder([])

    reason = TransactionRejected(TO, decoder.decode(bytes.fromhex("08c379a0") + encode(["string"], ["no way"])))
    panic = TransactionRejected(TO, decoder.decode(bytes.fromhex("4e487b71") + encode(["uint256"], [0x11])))

    assert (reason.error_name, reason.args) == ("Error", ("no way",))
    assert (panic.error_name, panic.args) == ("Panic", (0x11,))
    assert str(panic) == f"call to {TO} reverts with Panic(17)"


def test_transaction_rejected_survives_pickling_with_its_decoded_error():
    data = SELECTOR + encode(["address[]", "(address,uint256)", "bytes32"], [[ALICE], (BOB, 2), bytes(32)])
    rejected = TransactionRejected(TO, RevertDecoder([NESTED_ERROR]).decode(data))

    copy = pickle.loads(pickle.dumps(rejected))

    assert (copy.to, copy.selector, copy.error_name, copy.args, copy.data) == (
        TO,
        SELECTOR,
        "ThingRefused",
        ((ALICE,), (BOB, 2), bytes(32)),
        data,
    )


def test_name_looks_up_a_selector_alone():
    decoder = RevertDecoder([NESTED_ERROR])
    assert decoder.name(SELECTOR) == "ThingRefused"
    assert decoder.name(bytes.fromhex("08c379a0")) == "Error"
    assert decoder.name(b"\xde\xad\xbe\xef") is None
