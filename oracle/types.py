"""Values that cross the chain boundary, mirroring contracts/libraries/OracleTypes.sol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address


class Status(IntEnum):
    OK = 0
    INVALID_INPUT = 1
    MODEL_ERROR = 2
    EXPIRED = 3


REQUEST_FIELDS = ("modelId", "artifactHash", "inputHash", "consumer", "feeWei", "deadline", "callbackGasLimit")


def model_id(name: str) -> bytes:
    """The on-chain id of a model: keccak256 of its name."""
    return keccak(text=name)


def input_hash(features: Sequence[int]) -> bytes:
    """keccak256(abi.encode(int256[] features)), as the coordinator computes it."""
    return keccak(encode(["int256[]"], [list(features)]))


@dataclass(frozen=True)
class Request:
    """What a pending request commits to; a report must repeat it exactly."""

    model_id: bytes
    artifact_hash: bytes
    input_hash: bytes
    consumer: str
    fee_wei: int
    deadline: int
    callback_gas_limit: int

    @classmethod
    def from_abi(cls, fields: Sequence[Any] | Mapping[str, Any]) -> Request:
        """From the ABI tuple (brownie) or the mapping by field name (web3 event args)."""
        if isinstance(fields, Mapping):
            fields = [fields[name] for name in REQUEST_FIELDS]
        model_id, artifact_hash, inputs, consumer, fee_wei, deadline, gas = fields
        return cls(
            bytes(model_id),
            bytes(artifact_hash),
            bytes(inputs),
            to_checksum_address(consumer),
            int(fee_wei),
            int(deadline),
            int(gas),
        )

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.model_id,
            self.artifact_hash,
            self.input_hash,
            self.consumer,
            self.fee_wei,
            self.deadline,
            self.callback_gas_limit,
        )


@dataclass(frozen=True)
class Report:
    """A push-mode answer: values[i] is signed by the i-th signature; the coordinator requires the values
    ascending and answers with the lower median values[(n - 1) // 2]."""

    request_id: bytes
    request: Request
    status: Status
    values: tuple[int, ...]

    def as_abi(self) -> tuple[Any, ...]:
        return (self.request_id, self.request.as_abi(), int(self.status), list(self.values))


@dataclass(frozen=True)
class PullReport:
    """A pull-mode answer made for `subject`, usable only by the contract `consumer`, until `valid_until`
    (unix seconds); values ascending, as in a Report."""

    subject: str
    consumer: str
    valid_until: int
    model_id: bytes
    artifact_hash: bytes
    input_hash: bytes
    status: Status
    values: tuple[int, ...]

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.subject,
            self.consumer,
            self.valid_until,
            self.model_id,
            self.artifact_hash,
            self.input_hash,
            int(self.status),
            list(self.values),
        )
