"""The coordinator's calldata and events encoded with eth_abi directly.

web3's contract helpers normalise every value through recursive formatters: encoding one 50-report
fulfillBatch took ~200 ms and decoding one PredictionRequested log ~5 ms, more than the model's inference.
Here the ABI types are derived once from the exported ABI; tests pin the bytes to web3's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

from eth_abi import decode, encode
from eth_typing import ABIEvent, ABIFunction
from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector, to_checksum_address
from eth_utils.abi import collapse_if_tuple

from oracle.chain.abi import AbiEntry, coordinator_abi
from oracle.privacy.inputs import PrivateInput
from oracle.types import Request


@cache
def _function(name: str) -> tuple[bytes, tuple[str, ...]]:
    entry = next(e for e in coordinator_abi() if e["type"] == "function" and e["name"] == name)
    return function_abi_to_4byte_selector(cast(ABIFunction, entry)), tuple(
        collapse_if_tuple(i) for i in entry["inputs"]
    )


@cache
def _outputs(name: str) -> tuple[str, ...]:
    entry = next(e for e in coordinator_abi() if e["type"] == "function" and e["name"] == name)
    return tuple(collapse_if_tuple(o) for o in entry["outputs"])


@cache
def event_abi(name: str) -> AbiEntry:
    return next(e for e in coordinator_abi() if e["type"] == "event" and e["name"] == name)


@cache
def event_topic(name: str) -> bytes:
    """topic0 of coordinator event `name` (keccak256 of its signature)."""
    return event_abi_to_log_topic(cast(ABIEvent, event_abi(name)))


@cache
def _event_data_types(name: str) -> tuple[str, ...]:
    return tuple(collapse_if_tuple(i) for i in event_abi(name)["inputs"] if not i["indexed"])


def encode_call(name: str, args: Sequence[Any]) -> bytes:
    """Calldata of coordinator function `name` (selector + ABI-encoded arguments)."""
    selector, types = _function(name)
    return selector + encode(list(types), list(args))


def decode_call(data: bytes) -> tuple[str, tuple[Any, ...]]:
    """(function name, arguments) of coordinator calldata; raises ValueError for another contract's call."""
    for entry in coordinator_abi():
        if entry["type"] == "function" and data[:4] == _function(entry["name"])[0]:
            return entry["name"], tuple(decode(list(_function(entry["name"])[1]), data[4:]))
    raise ValueError(f"0x{data[:4].hex()} is no function of the coordinator")


def decode_result(name: str, data: bytes) -> tuple[Any, ...]:
    """The return values of coordinator function `name` from an eth_call's result."""
    return decode(list(_outputs(name)), _bytes(data))


def decode_event_data(name: str, log: Mapping[str, Any]) -> tuple[Any, ...]:
    """The non-indexed fields of coordinator event `name` from a raw or web3-formatted log."""
    return decode(list(_event_data_types(name)), _bytes(log["data"]))


def decode_prediction_requested(log: Mapping[str, Any]) -> tuple[bytes, Request, tuple[int, ...]]:
    """(requestId, Request, features) of a raw or web3-formatted PredictionRequested log."""
    request_fields, features = decode_event_data("PredictionRequested", log)
    request_id = _bytes(log["topics"][1])
    model_id, artifact_hash, inputs, consumer, fee_wei, deadline, gas = request_fields
    request = Request(model_id, artifact_hash, inputs, to_checksum_address(consumer), fee_wei, deadline, gas)
    return request_id, request, tuple(features)


def decode_private_prediction_requested(log: Mapping[str, Any]) -> tuple[bytes, Request, PrivateInput]:
    """(requestId, Request, PrivateInput) of a raw or web3-formatted PrivatePredictionRequested log."""
    request_fields, subject, expires_at, signature, encrypted = decode_event_data("PrivatePredictionRequested", log)
    model_id, artifact_hash, inputs, consumer, fee_wei, deadline, gas = request_fields
    request = Request(model_id, artifact_hash, inputs, to_checksum_address(consumer), fee_wei, deadline, gas)
    private = PrivateInput(to_checksum_address(subject), int(expires_at), bytes(signature), bytes(encrypted))
    return _bytes(log["topics"][1]), request, private


def _bytes(value: str | bytes) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
