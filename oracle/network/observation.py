"""A signer's observation of a push request: what nodes exchange, and what a report is built from."""

from __future__ import annotations

from dataclasses import dataclass

from oracle.chain.eip712 import observation_fields_digest
from oracle.chain.recovery import recover_signer
from oracle.types import Request, Status


@dataclass(frozen=True)
class Observation:
    """`signer` signed (EIP-712 Observation) that request `request_id` of model `model_id`, committed to
    `artifact_hash` and `input_hash`, answers `status` with `value`."""

    request_id: bytes
    model_id: bytes
    artifact_hash: bytes
    input_hash: bytes
    status: Status
    value: int
    signer: str
    signature: bytes

    @classmethod
    def of(
        cls, request_id: bytes, request: Request, status: Status, value: int, signer: str, signature: bytes
    ) -> Observation:
        return cls(
            request_id, request.model_id, request.artifact_hash, request.input_hash, status, value, signer, signature
        )

    def recover(self, separator: bytes) -> str:
        """The address that really signed this observation (raises InvalidSignature)."""
        digest = observation_fields_digest(
            separator, self.request_id, self.model_id, self.artifact_hash, self.input_hash, self.status, self.value
        )
        return recover_signer(digest, self.signature)

    def answers(self, request: Request) -> bool:
        """Whether this observation can stand in a report for `request` (same commitment fields)."""
        return (self.model_id, self.artifact_hash, self.input_hash) == (
            request.model_id,
            request.artifact_hash,
            request.input_hash,
        )
