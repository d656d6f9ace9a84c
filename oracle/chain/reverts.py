"""Revert data decoded by its 4-byte selector: custom errors from an ABI, and Solidity's Error(string) and Panic(uint256)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode
from eth_typing import ABIError
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from web3.exceptions import ContractLogicError

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")
BUILTIN_ERRORS: dict[bytes, tuple[str, list[Mapping[str, Any]]]] = {
    ERROR_STRING_SELECTOR: ("Error", [{"type": "string"}]),
    PANIC_SELECTOR: ("Panic", [{"type": "uint256"}]),
}


@dataclass(frozen=True)
class DecodedRevert:
    """`name` and `args` are None and () when the selector is unknown; `selector` is None when there is no data."""

    selector: bytes | None
    name: str | None
    args: tuple[Any, ...]
    data: bytes


class RevertDecoder:
    def __init__(self, error_abi: Sequence[Mapping[str, Any]]) -> None:
        self._errors = dict(BUILTIN_ERRORS)
        for entry in error_abi:
            if entry.get("type") == "error":
                self._errors[function_abi_to_4byte_selector(cast(ABIError, dict(entry)))] = (
                    entry["name"],
                    list(entry["inputs"]),
                )

    def name(self, selector: bytes) -> str | None:
        """The error a 4-byte selector stands for (None when the ABI has no such error)."""
        known = self._errors.get(bytes(selector))
        return None if known is None else known[0]

    def decode(self, data: bytes) -> DecodedRevert:
        if len(data) < 4:
            return DecodedRevert(None, None, (), data)
        selector = data[:4]
        known = self._errors.get(selector)
        if known is None:
            return DecodedRevert(selector, None, (), data)
        name, inputs = known
        try:
            values = decode([collapse_if_tuple(dict(i)) for i in inputs], data[4:])
        except Exception:  # malformed data under a known selector: keep the name, report no arguments
            return DecodedRevert(selector, name, (), data)
        return DecodedRevert(
            selector, name, tuple(_checksummed(i, v) for i, v in zip(inputs, values, strict=True)), data
        )


def revert_data(error: ContractLogicError) -> bytes:
    """The raw revert data web3 attached to a reverted call or estimate (empty when the node sent none)."""
    data = error.data
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    return b""


def _checksummed(abi_input: Mapping[str, Any], value: Any) -> Any:
    """The decoded value with every address checksummed, as web3 returns them, through arrays and tuples."""
    kind = abi_input["type"]
    if kind.endswith("]"):
        element = {**abi_input, "type": kind[: kind.rindex("[")]}
        return tuple(_checksummed(element, v) for v in value)
    if kind == "tuple":
        return tuple(_checksummed(c, v) for c, v in zip(abi_input["components"], value, strict=True))
    return to_checksum_address(value) if kind == "address" else value
