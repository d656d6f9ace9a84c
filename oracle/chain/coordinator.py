"""The OracleCoordinator as the rest of the node sees it: the one module that knows its ABI, calls, events and errors.

Reads go through raw JSON-RPC with oracle.chain.codec's eth_abi encoding (web3's contract helpers cost more than
the call on the node's paths); only the owner's transactions use a web3 contract, to fill in gas and fees.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3RPCError
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, TxParams

from oracle.chain.abi import coordinator_abi
from oracle.chain.codec import (
    decode_call,
    decode_event_data,
    decode_prediction_requested,
    decode_private_prediction_requested,
    decode_result,
    encode_call,
    event_topic,
)
from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.pricing import ModelPricing
from oracle.chain.reverts import DecodedRevert, RevertDecoder
from oracle.chain.rpc import raw_call
from oracle.config import ConfigError
from oracle.errors import OracleError
from oracle.privacy.inputs import PrivateInput
from oracle.types import PullReport, Report, Request, Status

ZERO_HASH = bytes(32)
REQUEST_EXPIRED = "OracleCoordinatorRequestExpired"
NOT_REGISTERED = "not registered on the coordinator"

_FULFILLED = event_topic("PredictionFulfilled")
_CANCELLED = event_topic("PredictionCancelled")
_SKIPPED = event_topic("ReportSkipped")
_REQUESTED = event_topic("PredictionRequested")
_PRIVATE_REQUESTED = event_topic("PrivatePredictionRequested")
_MODEL_REGISTERED = event_topic("ModelRegistered")
_MODEL_VERSIONED = event_topic("ModelVersioned")
_ERRORS = RevertDecoder(coordinator_abi())


class CoordinatorCallUnreadable(OracleError, LookupError):
    """A transaction's calldata does not hold what was looked for."""


class CoordinatorReverted(OracleError, ValueError):
    """A call to the coordinator reverted; `error_name` is the decoded custom error (None when unknown)."""

    def __init__(self, function: str, revert: DecodedRevert) -> None:
        self.function = function
        self.revert = revert
        self.error_name = revert.name
        self.error_args = revert.args
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[CoordinatorReverted], tuple[str, DecodedRevert]]:
        return CoordinatorReverted, (self.function, self.revert)

    def __str__(self) -> str:
        if self.error_name is not None:
            return f"{self.function} reverts with {self.error_name}({', '.join(map(repr, self.error_args))})"
        if self.revert.selector is not None:
            return f"{self.function} reverts with unknown error 0x{self.revert.selector.hex()}"
        return f"{self.function} reverts without data"


@dataclass(frozen=True)
class Registration:
    """A model's entry in getModel."""

    artifact_hash: bytes
    schema_hash: bytes
    version: int
    fee_wei: int
    active: bool
    max_callback_gas_limit: int
    gas_price_wei: int

    @property
    def exists(self) -> bool:
        return self.artifact_hash != ZERO_HASH

    def matches(self, artifact_hash: bytes, schema_hash: bytes) -> bool:
        """Both hashes are the registered ones (compared in constant time)."""
        return hmac.compare_digest(self.artifact_hash, artifact_hash) and hmac.compare_digest(
            self.schema_hash, schema_hash
        )


def registration_problem(registration: Registration | None, artifact_hash: bytes, schema_hash: bytes) -> str | None:
    """Why files with these hashes cannot answer for the registration, or None when they can."""
    if registration is None or not registration.exists:
        return NOT_REGISTERED
    if not hmac.compare_digest(registration.artifact_hash, artifact_hash):
        return f"artifact sha256 differs from the chain's v{registration.version}"
    if not hmac.compare_digest(registration.schema_hash, schema_hash):
        return f"schema sha256 differs from the chain's v{registration.version}"
    if not registration.active:
        return "deactivated on the coordinator"
    return None


@dataclass(frozen=True)
class SignerSet:
    signers: tuple[str, ...]  # checksummed, sorted
    threshold: int
    read_at: float  # the coordinator's clock (time.monotonic by default) when read

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and to_checksum_address(address) in self.signers


@dataclass(frozen=True)
class ReceiptOutcome:
    """What the coordinator logged in one transaction: answers accepted, and reports passed over with the
    decoded reason (the error name, or the selector's hex when the ABI has no such error)."""

    fulfilled: frozenset[bytes]
    skipped: Mapping[bytes, str]


@dataclass(frozen=True)
class Answer:
    """The PredictionFulfilled or PredictionCancelled event that closed a request."""

    request_id: bytes
    kind: Literal["fulfilled", "cancelled"]
    block_number: int
    tx_hash: bytes
    status: Status | None = None  # fulfilled only
    value: int | None = None  # fulfilled only


@dataclass(frozen=True)
class RequestedEvent:
    request_id: bytes
    request: Request
    features: tuple[int, ...]  # empty for a private request
    block_number: int
    tx_hash: bytes
    private: PrivateInput | None = None


@dataclass(frozen=True)
class SkippedReport:
    request_id: bytes
    reason: str
    block_number: int
    tx_hash: bytes


class Coordinator:
    def __init__(
        self, w3: Web3, address: str, *, chain_id: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._w3 = w3
        self.address = to_checksum_address(address)
        if chain_id is not None:
            self.chain_id = chain_id
        if not w3.eth.get_code(self.address):
            raise ConfigError(f"ORACLE_COORDINATOR: no contract at {self.address} on chain {self.chain_id}")
        self._clock = clock
        self._signer_lock = threading.Lock()
        self._signer_set: SignerSet | None = None

    def __repr__(self) -> str:
        return f"Coordinator({self.address})"

    @cached_property
    def chain_id(self) -> int:
        return self._w3.eth.chain_id

    @property
    def errors(self) -> RevertDecoder:
        return _ERRORS

    @property
    def error_abi(self) -> list[dict[str, Any]]:
        """The coordinator's custom errors, for a decoder that also knows other contracts' (the tx manager)."""
        return [e for e in coordinator_abi() if e["type"] == "error"]

    @cached_property
    def domain(self) -> CoordinatorDomain:
        return CoordinatorDomain(self.chain_id, self.address)

    # ------------------------------------------------------------------ models
    def model(self, model_id: bytes) -> Registration | None:
        """The registration of `model_id`, None when it was never registered."""
        ((artifact, schema, version, fee, active, max_callback_gas, gas_price),) = self._view("getModel", [model_id])
        registration = Registration(
            bytes(artifact), bytes(schema), int(version), int(fee), bool(active), int(max_callback_gas), int(gas_price)
        )
        return registration if registration.exists else None

    def request_fee(self, model_id: bytes, callback_gas_limit: int) -> int:
        """What a request for `model_id` with `callback_gas_limit` must pay now (the coordinator's requestFee)."""
        return int(self._view("requestFee", [model_id, callback_gas_limit])[0])

    def registered_schema(self, model_id: bytes, artifact_hash: bytes) -> bytes | None:
        """The schema hash registered together with `artifact_hash` for `model_id` at any of its versions (from
        its ModelRegistered and ModelVersioned events), None when that artifact was never registered for it."""
        for entry in reversed(self._logs([[_MODEL_REGISTERED, _MODEL_VERSIONED], model_id], 0, "latest")):
            if _bytes(entry["topics"][0]) == _MODEL_REGISTERED:
                registered, schema, _ = decode_event_data("ModelRegistered", entry)
            else:
                _, registered, schema = decode_event_data("ModelVersioned", entry)
            if bytes(registered) == artifact_hash:
                return bytes(schema)
        return None

    def registration_problem(self, model_id: bytes, artifact_hash: bytes, schema_hash: bytes) -> str | None:
        """Why a model with these hashes cannot answer requests now ("not registered ...", "artifact sha256
        differs ...", "deactivated ..."), or None when it can."""
        return registration_problem(self.model(model_id), artifact_hash, schema_hash)

    def owner(self) -> str:
        return to_checksum_address(self._view("owner", [])[0])

    def register_model_tx(
        self, sender: str, model_id: bytes, artifact_hash: bytes, schema_hash: bytes, pricing: ModelPricing
    ) -> TxParams:
        """registerModel, ready to sign by the owner `sender` (nonce, gas and fees filled in)."""
        call = self._contract.functions.registerModel(model_id, artifact_hash, schema_hash, pricing.as_abi())
        transaction: TxParams = call.build_transaction(self._owner_tx(sender))
        return transaction

    def update_model_tx(self, sender: str, model_id: bytes, artifact_hash: bytes, schema_hash: bytes) -> TxParams:
        """updateModel (a new version of a registered model), ready to sign by the owner `sender`."""
        call = self._contract.functions.updateModel(model_id, artifact_hash, schema_hash)
        transaction: TxParams = call.build_transaction(self._owner_tx(sender))
        return transaction

    def _owner_tx(self, sender: str) -> TxParams:
        return {"from": sender, "nonce": self._w3.eth.get_transaction_count(to_checksum_address(sender))}

    @cached_property
    def _contract(self) -> Contract:
        return self._w3.eth.contract(address=self.address, abi=coordinator_abi())

    # ------------------------------------------------------------------ signers
    def signers(self) -> tuple[str, ...]:
        return tuple(to_checksum_address(a) for a in self._view("signers", [])[0])

    def threshold(self) -> int:
        return int(self._view("threshold", [])[0])

    def is_signer(self, address: str) -> bool:
        return bool(self._view("isSigner", [to_checksum_address(address)])[0])

    def paused(self) -> bool:
        return bool(self._view("paused", [])[0])

    def signer_set(self, max_age_seconds: float = 30.0) -> SignerSet:
        """The signers and threshold, read again when the cached copy is older than `max_age_seconds`."""
        with self._signer_lock:
            cached = self._signer_set
            if cached is None or self._clock() - cached.read_at >= max_age_seconds:
                cached = self._signer_set = self._read_signer_set()
            return cached

    def refresh(self) -> SignerSet:
        """Reads the signer set now (after a SignerAdded / SignerRemoved / ThresholdChanged, say)."""
        with self._signer_lock:
            self._signer_set = self._read_signer_set()
            return self._signer_set

    def _read_signer_set(self) -> SignerSet:
        signers, threshold = self._batch_call([("signers", []), ("threshold", [])])
        return SignerSet(tuple(sorted(to_checksum_address(a) for a in signers[0])), int(threshold[0]), self._clock())

    # ------------------------------------------------------------------ requests
    def commitments(self, request_ids: Sequence[bytes]) -> dict[bytes, bytes]:
        """request id -> commitmentOf, for every id in one JSON-RPC batch; a zero commitment means not pending
        (never requested, fulfilled or cancelled)."""
        ids = [bytes(i) for i in request_ids]
        results = self._batch_call([("commitmentOf", [i]) for i in ids])
        return {i: bytes(result[0]) for i, result in zip(ids, results, strict=True)}

    def pending(self, request_ids: Sequence[bytes]) -> set[bytes]:
        """Those of `request_ids` the coordinator still holds a commitment for, in one JSON-RPC batch."""
        return {request_id for request_id, stored in self.commitments(request_ids).items() if stored != ZERO_HASH}

    def is_pending(self, request_id: bytes) -> bool:
        return bytes(self._view("commitmentOf", [request_id])[0]) != ZERO_HASH

    # ------------------------------------------------------------------ calldata
    @staticmethod
    def fulfill_batch_calldata(reports: Sequence[Report | tuple[Any, ...]], signatures: Sequence[bytes]) -> bytes:
        """fulfillBatch calldata; reports as Report or as its ABI tuple (the node's hot path passes tuples)."""
        return encode_call("fulfillBatch", [[_abi(r) for r in reports], list(signatures)])

    @staticmethod
    def fulfill_calldata(report: Report | tuple[Any, ...], signatures: bytes) -> bytes:
        return encode_call("fulfill", [_abi(report), signatures])

    @staticmethod
    def verify_report_calldata(report: PullReport | tuple[Any, ...], signatures: bytes) -> bytes:
        return encode_call("verifyReport", [_abi(report), signatures])

    def verify_report(self, report: PullReport | tuple[Any, ...], signatures: bytes) -> tuple[Status, int]:
        """(status, value) as verifyReport returns them; raises CoordinatorReverted (e.g. with error_name
        OracleCoordinatorReportExpired) when the coordinator refuses the report."""
        status, value = self._view("verifyReport", [_abi(report), signatures])
        return Status(status), int(value)

    # ------------------------------------------------------------------ events
    def receipt_outcome(self, receipt: Mapping[str, Any]) -> ReceiptOutcome:
        """The PredictionFulfilled and ReportSkipped logs this coordinator wrote in a (web3 or raw) receipt."""
        fulfilled: set[bytes] = set()
        skipped: dict[bytes, str] = {}
        address = self.address.lower()
        for entry in receipt["logs"]:
            if entry["address"].lower() != address or len(entry["topics"]) < 2:
                continue
            topic, request_id = _bytes(entry["topics"][0]), _bytes(entry["topics"][1])
            if topic == _FULFILLED:
                fulfilled.add(request_id)
            elif topic == _SKIPPED:
                skipped[request_id] = self._reason(entry)
        return ReceiptOutcome(frozenset(fulfilled), skipped)

    def answer(self, request_id: bytes, from_block: int, to_block: int | str = "latest") -> Answer | None:
        """The event that answered `request_id` in [from_block, to_block]: its PredictionFulfilled (the last,
        should there be several) or else its PredictionCancelled; None when neither happened there."""
        answers = [_answer(e) for e in self._logs([[_FULFILLED, _CANCELLED], request_id], from_block, to_block)]
        fulfilled = [a for a in answers if a.kind == "fulfilled"]
        last = fulfilled or answers
        return last[-1] if last else None

    def answers(self, from_block: int, to_block: int | str = "latest") -> list[Answer]:
        """Every PredictionFulfilled and PredictionCancelled in the range, in chain order."""
        return [_answer(e) for e in self._logs([[_FULFILLED, _CANCELLED]], from_block, to_block)]

    def requested(self, request_id: bytes, from_block: int, to_block: int | str = "latest") -> RequestedEvent | None:
        """The PredictionRequested or PrivatePredictionRequested event of `request_id` in the range, if any."""
        events = self._logs([[_REQUESTED, _PRIVATE_REQUESTED], request_id], from_block, to_block)
        return _requested(events[-1]) if events else None

    def requests(self, from_block: int, to_block: int | str = "latest") -> list[RequestedEvent]:
        """Every PredictionRequested and PrivatePredictionRequested in the range, in chain order."""
        return [_requested(e) for e in self._logs([[_REQUESTED, _PRIVATE_REQUESTED]], from_block, to_block)]

    def report_of(self, request_id: bytes, tx_hash: bytes) -> tuple[Status, tuple[int, ...], bytes]:
        """(status, values, signatures) of `request_id`'s report in the fulfil transaction `tx_hash`, read from
        its calldata; raises CoordinatorCallUnreadable when the transaction did not call the coordinator."""
        tx = raw_call(self._w3, "eth_getTransactionByHash", ["0x" + tx_hash.hex()])
        try:
            name, args = decode_call(_bytes(tx["input"]))
        except ValueError as error:
            message = f"transaction 0x{tx_hash.hex()} was relayed through a contract: {error}"
            raise CoordinatorCallUnreadable(message) from None
        pairs = zip(args[0], args[1], strict=True) if name == "fulfillBatch" else [(args[0], args[1])]
        for report, signatures in pairs:
            if bytes(report[0]) == request_id:
                return Status(report[2]), tuple(int(v) for v in report[3]), bytes(signatures)
        raise CoordinatorCallUnreadable(f"transaction 0x{tx_hash.hex()} carries no report for 0x{request_id.hex()}")

    # ------------------------------------------------------------------ private inputs
    def attestation_registry(self) -> str | None:
        """The AttestationRegistry the coordinator names, None when it names none."""
        address = to_checksum_address(self._view("attestationRegistry", [])[0])
        return None if int(address, 16) == 0 else address

    def encryption_keys(self) -> list[tuple[str, bytes]]:
        """(signer, 33-byte public key) of every active signer that published one: whom to seal inputs to."""
        signers, keys = self._view("encryptionKeys", [])
        return [(to_checksum_address(s), bytes(k)) for s, k in zip(signers, keys, strict=True) if k]

    def encryption_key_of(self, signer: str) -> bytes:
        return bytes(self._view("encryptionKeyOf", [to_checksum_address(signer)])[0])

    @staticmethod
    def set_encryption_key_calldata(public_key: bytes) -> bytes:
        """setEncryptionKey, sent by a signer for itself."""
        return encode_call("setEncryptionKey", [public_key])

    def skipped_reports(self, from_block: int, to_block: int | str = "latest") -> list[SkippedReport]:
        """Every ReportSkipped in the range (a report that came too late, for a request already closed)."""
        return [
            SkippedReport(_bytes(e["topics"][1]), self._reason(e), _int(e["blockNumber"]), _bytes(e["transactionHash"]))
            for e in self._logs([_SKIPPED], from_block, to_block)
        ]

    def _reason(self, log: Mapping[str, Any]) -> str:
        selector = bytes(decode_event_data("ReportSkipped", log)[0])
        return _ERRORS.name(selector) or "0x" + selector.hex()

    # ------------------------------------------------------------------ JSON-RPC
    def _logs(self, topics: list[Any], from_block: int, to_block: int | str) -> list[dict[str, Any]]:
        logs: list[dict[str, Any]] = raw_call(
            self._w3,
            "eth_getLogs",
            [
                {
                    "address": self.address,
                    "topics": [_topic(t) for t in topics],
                    "fromBlock": hex(from_block),
                    "toBlock": to_block if isinstance(to_block, str) else hex(to_block),
                }
            ],
        )
        return logs

    def _call_params(self, function: str, args: list[Any]) -> list[Any]:
        return [{"to": self.address, "data": "0x" + encode_call(function, args).hex()}, "latest"]

    def _view(self, function: str, args: list[Any]) -> tuple[Any, ...]:
        response = self._w3.provider.make_request(RPCEndpoint("eth_call"), self._call_params(function, args))
        return self._result(function, response)

    def _batch_call(self, calls: Sequence[tuple[str, list[Any]]]) -> list[tuple[Any, ...]]:
        """eth_call of every (function, args) in one JSON-RPC batch request; results in the same order."""
        if not calls:
            return []
        provider = cast(JSONBaseProvider, self._w3.provider)  # every provider web3 builds has batches
        responses = provider.make_batch_request(
            [(RPCEndpoint("eth_call"), self._call_params(function, args)) for function, args in calls]
        )
        if not isinstance(responses, list):  # the node refused the whole batch
            raise Web3RPCError(f"eth_call batch failed: {responses.get('error')}")
        return [self._result(function, r) for (function, _), r in zip(calls, responses, strict=True)]

    def _result(self, function: str, response: Mapping[str, Any]) -> tuple[Any, ...]:
        error = response.get("error")
        if error is not None:
            data = error.get("data") if isinstance(error, Mapping) else None
            if isinstance(data, Mapping):  # some nodes nest it
                data = data.get("data")
            if isinstance(data, str) and data.startswith("0x"):
                raise CoordinatorReverted(function, _ERRORS.decode(bytes.fromhex(data[2:])))
            raise Web3RPCError(f"eth_call {function} failed: {error}")
        return decode_result(function, _bytes(response["result"]))


def _abi(value: Any) -> tuple[Any, ...]:
    return value.as_abi() if isinstance(value, (Report, PullReport)) else value


def _topic(topic: bytes | list[bytes]) -> str | list[str]:
    return ["0x" + t.hex() for t in topic] if isinstance(topic, list) else "0x" + bytes(topic).hex()


def _bytes(value: str | bytes) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def _int(value: str | int) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _answer(log: Mapping[str, Any]) -> Answer:
    request_id, block, tx_hash = _bytes(log["topics"][1]), _int(log["blockNumber"]), _bytes(log["transactionHash"])
    if _bytes(log["topics"][0]) == _CANCELLED:
        return Answer(request_id, "cancelled", block, tx_hash)
    status, value = decode_event_data("PredictionFulfilled", log)
    return Answer(request_id, "fulfilled", block, tx_hash, Status(status), int(value))


def _requested(log: Mapping[str, Any]) -> RequestedEvent:
    block, tx_hash = _int(log["blockNumber"]), _bytes(log["transactionHash"])
    if _bytes(log["topics"][0]) == _PRIVATE_REQUESTED:
        request_id, request, private = decode_private_prediction_requested(log)
        return RequestedEvent(request_id, request, (), block, tx_hash, private)
    request_id, request, features = decode_prediction_requested(log)
    return RequestedEvent(request_id, request, features, block, tx_hash)
