"""Shared test helpers: custom-error strings as brownie decodes them, and request / report shortcuts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from brownie.exceptions import decode_typed_error
from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector, keccak

from oracle.chain.signer import ObservationSigner, sign_report
from oracle.types import Report, Request, Status

MODEL_ID = keccak(text="credit-risk")
ARTIFACT_HASH = hashlib.sha256(b"credit-risk artifact v1").digest()
SCHEMA_HASH = hashlib.sha256(b"credit-risk schema v1").digest()
FEE_WEI = 10**15
CALLBACK_GAS = 200_000
FEATURES = (52_000, 1_250, -3, 720)


def hx(value: bytes) -> str:
    """0x-hex of raw bytes, the form brownie compares its bytes32 values with."""
    return "0x" + bytes(value).hex()


def plain(value):
    """brownie's return values as plain Python (str, int, bool, lists), for == against expectations.

    brownie 1.22.2's compiled Wei and ReturnValue types raise TypeError when compared with plain ints.
    """
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, bytes):
        return hx(value)
    return str(value) if isinstance(value, str) else value


def after_deadline(chain, deadline: int) -> None:
    """Mines a block past `deadline`, measured on the chain's own clock (not brownie's local one)."""
    chain.sleep(max(deadline - chain[-1].timestamp + 1, 1))
    chain.mine()


def _error_abi(contract, name: str) -> dict:
    return next(item for item in contract.abi if item["type"] == "error" and item["name"] == name)


def error_selector(contract, name: str) -> str:
    """The 4-byte selector of custom error `name`, as brownie shows a bytes4 (0x-prefixed hex)."""
    return "0x" + function_abi_to_4byte_selector(_error_abi(contract, name)).hex()


def custom_error(contract, name: str, *args) -> str:
    """The revert message brownie shows for `name(args)` of `contract`'s ABI."""
    types = [item["type"] for item in _error_abi(contract, name)["inputs"]]
    return decode_typed_error(error_selector(contract, name) + encode(types, list(args)).hex())


def request_prediction(
    consumer,
    sender,
    chain,
    features: Sequence[int] = FEATURES,
    ttl_seconds: int = 3_600,
    callback_gas: int = CALLBACK_GAS,
    fee_wei: int = FEE_WEI,
    model_id: bytes = MODEL_ID,
) -> tuple[bytes, Request, object]:
    """Has `consumer` request a prediction; returns (requestId, committed Request, tx)."""
    deadline = chain[-1].timestamp + ttl_seconds
    tx = consumer.request(model_id, list(features), deadline, callback_gas, {"from": sender, "value": fee_wei})
    event = tx.events["PredictionRequested"]
    return bytes(event["requestId"]), Request.from_abi(event["request"]), tx


def signed_report(
    signers: Sequence[ObservationSigner],
    request_id: bytes,
    request: Request,
    values: Sequence[int],
    status: Status = Status.OK,
) -> tuple[tuple, bytes]:
    """(report as ABI tuple, packed signatures) with signers[i] signing values[i]."""
    report, signatures = sign_report(signers, request_id, request, status, values)
    return report.as_abi(), signatures


def as_report(request_id: bytes, request: Request, values: Sequence[int], status: Status = Status.OK) -> Report:
    return Report(request_id, request, status, tuple(values))


def flat_pricing(fee_wei: int = FEE_WEI, max_callback_gas_limit: int = 2_500_000) -> tuple[int, int, int]:
    """A model's ModelPricing (feeWei, gasPriceWei, maxCallbackGasLimit) at a flat fee: no gas price, so every
    request pays `fee_wei` whatever its callback gas limit."""
    return (fee_wei, 0, max_callback_gas_limit)
