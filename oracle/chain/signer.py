"""Signs observations with one oracle key and assembles k-of-n reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import coincurve
from eth_account.messages import SignableMessage
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from oracle.chain.eip712 import CoordinatorDomain, domain_separator, observation_digest, pull_observation_digest
from oracle.errors import ReportError
from oracle.types import PullReport, Report, Request, Status

SIGNATURE_LENGTH = 64


def digest(message: SignableMessage) -> bytes:
    """The 32-byte EIP-712 digest the contract recovers signers from (EIP-191 version 0x01)."""
    return keccak(b"\x19" + message.version + message.header + message.body)


class ObservationSigner:
    """One oracle signer: a local key and the coordinator domain its signatures are bound to."""

    def __init__(self, account: LocalAccount, domain: CoordinatorDomain) -> None:
        self._account = account
        self._domain = domain
        self._separator = domain_separator(domain)
        # libsecp256k1 directly: eth-account's wrapper around the same call costs 8x the signature itself.
        self._key = coincurve.PrivateKey(bytes(account.key))

    @property
    def address(self) -> str:
        return self._account.address

    @property
    def domain(self) -> CoordinatorDomain:
        return self._domain

    def sign_observation(self, request_id: bytes, request: Request, status: Status, value: int) -> bytes:
        return self._sign(observation_digest(self._separator, request_id, request, status, value))

    def sign_pull_observation(self, report: PullReport, value: int) -> bytes:
        return self._sign(pull_observation_digest(self._separator, report, value))

    def _sign(self, eip712_digest: bytes) -> bytes:
        # The digest is built here from typed fields (see eip712.py), never taken from a caller.
        signature = self._key.sign_recoverable(eip712_digest, hasher=None)  # r || s (low-s) || recovery id
        r, s, recovery_id = (
            int.from_bytes(signature[:32], "big"),
            int.from_bytes(signature[32:64], "big"),
            signature[64],
        )
        return compact_signature(r, s, recovery_id + 27)

    def __repr__(self) -> str:
        return f"ObservationSigner(address={self.address}, chain_id={self._domain.chain_id})"


def compact_signature(r: int, s: int, v: int) -> bytes:
    """EIP-2098: r, then s with the y-parity (v - 27) in its top bit."""
    return r.to_bytes(32, "big") + (((v - 27) << 255) | s).to_bytes(32, "big")


def pack_signatures(signatures: Iterable[bytes]) -> bytes:
    """Concatenates 64-byte compact signatures in the order of the report's values."""
    packed = []
    for signature in signatures:
        if len(signature) != SIGNATURE_LENGTH:
            raise ReportError(f"a signature is {SIGNATURE_LENGTH} bytes, got {len(signature)}")
        packed.append(signature)
    return b"".join(packed)


def sort_signed_values(signed: Iterable[tuple[int, bytes]]) -> tuple[tuple[int, ...], bytes]:
    """(value, signature) pairs as a report carries them: the values ascending and their signatures packed
    in the same order. The coordinator refuses any other order (OracleCoordinatorValuesNotSorted) and
    answers with the lower median, which the relayer then cannot choose by ordering. Ties keep their order."""
    ordered = sorted(signed, key=lambda pair: pair[0])
    return tuple(value for value, _ in ordered), pack_signatures(signature for _, signature in ordered)


def first_unsorted(values: Sequence[int]) -> int | None:
    """The index of the first value smaller than the one before it (the index the coordinator's
    OracleCoordinatorValuesNotSorted names), or None when `values` are ascending."""
    return next((i for i in range(1, len(values)) if values[i] < values[i - 1]), None)


def sign_report(
    signers: Sequence[ObservationSigner],
    request_id: bytes,
    request: Request,
    status: Status,
    values: Sequence[int],
) -> tuple[Report, bytes]:
    """Has signers[i] sign values[i]; returns the report, its values sorted ascending, and the packed
    signatures in the same order, ready for `fulfill`."""
    if len(signers) != len(values):
        raise ReportError(f"{len(signers)} signers for {len(values)} values")
    sorted_values, signatures = sort_signed_values(
        (v, s.sign_observation(request_id, request, status, v)) for s, v in zip(signers, values, strict=True)
    )
    return Report(request_id, request, status, sorted_values), signatures


def sign_pull_report(signers: Sequence[ObservationSigner], unsigned: PullReport) -> bytes:
    """Has signers[i] sign unsigned.values[i]; returns the packed signatures for `verifyReport`. The values
    must already be ascending, since the report itself is the caller's (sort them with their signers)."""
    if len(signers) != len(unsigned.values):
        raise ReportError(f"{len(signers)} signers for {len(unsigned.values)} values")
    index = first_unsorted(unsigned.values)
    if index is not None:
        raise ReportError(
            f"a report's values must be ascending: values[{index}] = {unsigned.values[index]} "
            f"is below values[{index - 1}] = {unsigned.values[index - 1]}"
        )
    return pack_signatures(s.sign_pull_observation(unsigned, v) for s, v in zip(signers, unsigned.values, strict=True))
