"""The features a node predicts on: plaintext from a public request, or opened from a private request's
envelope and checked against its commitment and attestation. A request that fails any check is answered
INVALID_INPUT with the reason kept in the node's store: the consumer always hears back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import coincurve

from oracle.privacy.attestation import Attestation, AttestationDomain, AttestationError, attester_of
from oracle.privacy.commitment import commitment
from oracle.privacy.envelope import EnvelopeError, open_envelope
from oracle.types import Request


@dataclass(frozen=True)
class PrivateInput:
    """What a PrivatePredictionRequested event carries besides the request."""

    subject: str
    attestation_expires_at: int
    attestation_signature: bytes  # empty: no attestation
    encrypted_input: bytes


class AttesterPolicy(Protocol):
    """The model owner's rules, as the AttestationRegistry on chain holds them."""

    domain: AttestationDomain

    def is_required(self, model_id: bytes) -> bool: ...

    def is_trusted(self, model_id: bytes, attester: str) -> bool: ...


@dataclass(frozen=True)
class Resolved:
    features: tuple[int, ...] | None  # None: answer INVALID_INPUT
    reason: str | None = None


class InputResolver:
    def __init__(
        self,
        address: str,
        key: coincurve.PrivateKey,
        policy: AttesterPolicy | None,
        chain_time: Callable[[], int],
    ) -> None:
        self._address = address
        self._key = key
        self._policy = policy
        self._chain_time = chain_time

    def resolve(self, request: Request, features: Sequence[int], private: PrivateInput | None) -> Resolved:
        if private is None:
            if self._policy is not None and self._policy.is_required(request.model_id):
                return Resolved(None, "the model requires attested private inputs; this request is public")
            return Resolved(tuple(features))
        try:
            salt, opened = open_envelope(private.encrypted_input, self._address, self._key)
        except EnvelopeError as error:
            return Resolved(None, f"private input: {error}")
        if commitment(salt, opened) != request.input_hash:
            return Resolved(None, "private input: the features and salt do not match the request's commitment")
        reason = self.attestation_problem(request.model_id, request.input_hash, private)
        return Resolved(None, reason) if reason else Resolved(opened)

    def attestation_problem(self, model_id: bytes, input_hash: bytes, private: PrivateInput) -> str | None:
        """Why the request's attestation does not hold, or None when it does (or none is needed)."""
        if not private.attestation_signature:
            if self._policy is not None and self._policy.is_required(model_id):
                return "attestation: the model requires one and the request carries none"
            return None
        if self._policy is None:
            return "attestation: the coordinator has no attestation registry to check it against"
        attestation = Attestation(private.subject, model_id, input_hash, private.attestation_expires_at)
        try:
            attester = attester_of(self._policy.domain, attestation, private.attestation_signature)
        except AttestationError as error:
            return f"attestation: {error}"
        if not self._policy.is_trusted(model_id, attester):
            return f"attestation: {attester} is not a trusted attester of this model (or the attested fields differ)"
        if private.attestation_expires_at < self._chain_time():
            return f"attestation: expired at {private.attestation_expires_at}"
        return None
