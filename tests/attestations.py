"""Test data providers: EIP-712 Attestations {subject, modelId, inputHash, expiresAt} signed over an
AttestationRegistry's domain with eth_account, independently of the node's own code (oracle/privacy/), so that
tests pin the contract's digest to the EIP-712 standard; and the private-input shortcuts tests share."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

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

BUREAU_KEY = keccak(text="test credit bureau")
OTHER_PROVIDER_KEY = keccak(text="test untrusted data provider")
ATTESTATION_TTL_SECONDS = 3_600
# A private request's encrypted input as the node's envelope sizes it for n = 4 nodes: a version byte, per node
# a 20-byte address and a 97-byte ECIES-wrapped key, then the AES-GCM nonce, ciphertext and tag.
ENCRYPTED_INPUT_BYTES = 1 + 4 * (20 + 97) + 12 + 400 + 16


def commitment(salt: bytes, features: Sequence[int]) -> bytes:
    """keccak256(abi.encode(bytes32 salt, int256[] features)): what a private request puts on chain."""
    return keccak(encode(["bytes32", "int256[]"], [salt, list(features)]))


def random_salt() -> bytes:
    return secrets.token_bytes(32)


def encrypted_input(size: int = ENCRYPTED_INPUT_BYTES) -> bytes:
    """Random bytes standing for a ciphertext: the contracts only carry it."""
    return secrets.token_bytes(size)


@dataclass(frozen=True)
class Attester:
    """A data provider's key signing for one AttestationRegistry (chain id and address)."""

    account: LocalAccount
    chain_id: int
    registry: str

    @classmethod
    def of(cls, key: bytes, chain_id: int, registry) -> Attester:
        return cls(Account.from_key(key), chain_id, str(registry))

    @property
    def address(self) -> str:
        return self.account.address

    def message(self, subject: str, model_id: bytes, input_hash: bytes, expires_at: int):
        return encode_typed_data(
            {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.registry,
            },
            ATTESTATION_TYPES,
            {"subject": str(subject), "modelId": model_id, "inputHash": input_hash, "expiresAt": expires_at},
        )

    def sign(self, subject: str, model_id: bytes, input_hash: bytes, expires_at: int) -> bytes:
        """The 65-byte signature (r, s, v) eth_signTypedData gives."""
        return bytes(self.account.sign_message(self.message(subject, model_id, input_hash, expires_at)).signature)


def attestation_abi(subject: str, model_id: bytes, input_hash: bytes, expires_at: int) -> tuple:
    """The Attestation struct as an ABI tuple."""
    return (str(subject), model_id, input_hash, expires_at)
