"""A data provider's word on an applicant's features: an EIP-712 Attestation {subject, modelId, inputHash,
expiresAt} signed by a key the model owner trusts, checked on chain by AttestationRegistry.verify and by
the nodes before they predict. The Python twin of contracts/oracle/AttestationRegistry.sol's digest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount

from oracle.errors import OracleError

DOMAIN_NAME = "OracleAttestations"
DOMAIN_VERSION = "1"
ATTESTATION_TYPES = {
    "Attestation": [
        {"name": "subject", "type": "address"},
        {"name": "modelId", "type": "bytes32"},
        {"name": "inputHash", "type": "bytes32"},
        {"name": "expiresAt", "type": "uint64"},
    ]
}


class AttestationError(OracleError, ValueError):
    """An attestation that does not hold: missing, expired, unsigned or from an untrusted attester."""


@dataclass(frozen=True)
class Attestation:
    subject: str  # the address the features describe
    model_id: bytes
    input_hash: bytes  # the features' commitment
    expires_at: int  # unix seconds (chain time)

    def as_abi(self) -> tuple[Any, ...]:
        return (self.subject, self.model_id, self.input_hash, self.expires_at)


@dataclass(frozen=True)
class AttestationDomain:
    chain_id: int
    registry: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.registry,
        }


def _message(domain: AttestationDomain, attestation: Attestation) -> SignableMessage:
    return encode_typed_data(
        domain.as_dict(),
        ATTESTATION_TYPES,
        {
            "subject": attestation.subject,
            "modelId": attestation.model_id,
            "inputHash": attestation.input_hash,
            "expiresAt": attestation.expires_at,
        },
    )


def sign_attestation(attester: LocalAccount, domain: AttestationDomain, attestation: Attestation) -> bytes:
    """The 65-byte signature (r, s, v) a provider returns with the features, as eth_signTypedData gives."""
    return bytes(attester.sign_message(_message(domain, attestation)).signature)


def attester_of(domain: AttestationDomain, attestation: Attestation, signature: bytes) -> str:
    """The address that signed `attestation`; raises AttestationError for a signature that recovers none."""
    if len(signature) != 65:
        raise AttestationError(f"an attestation signature is 65 bytes, got {len(signature)}")
    try:
        return str(Account.recover_message(_message(domain, attestation), signature=signature))
    except Exception as error:  # eth-keys raises several types for invalid signatures
        raise AttestationError(f"the attestation signature is invalid: {type(error).__name__}") from None
