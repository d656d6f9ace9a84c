"""The encrypted input of a private request, readable by each node of the network and nobody else.

    0x01 | n (1 byte) | n x [ signer address (20) | ECIES(node key, data key) (97) ] | nonce (12) | AES-256-GCM
    ciphertext of abi.encode(bytes32 salt, int256[] features) | tag (16)

A fresh 32-byte data key per request encrypts the input once; each node gets the data key wrapped to
its published encryption key (ECIES on secp256k1 with a compressed ephemeral key, eciespy here and
eciesjs in a browser), so the payload grows by 117 bytes per node, not by the input. A node removed
from the signer set is no longer among the recipients of new requests."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import coincurve
import ecies
from Crypto.Cipher import AES
from ecies.config import Config
from eth_utils import to_canonical_address, to_checksum_address

from oracle.errors import OracleError
from oracle.privacy.commitment import decode_input, encode_input

VERSION = 1
ADDRESS_BYTES = 20
WRAPPED_KEY_BYTES = 97  # 33-byte ephemeral key, 16-byte nonce, 16-byte tag, 32-byte data key
NONCE_BYTES = 12
TAG_BYTES = 16
ECIES = Config(is_ephemeral_key_compressed=True)
ASSOCIATED_DATA = b"ai-oracle private input v1"


class EnvelopeError(OracleError, ValueError):
    """The payload is malformed, not addressed to this node, or does not decrypt."""


@dataclass(frozen=True)
class Recipient:
    address: str  # the node's signer address
    public_key: bytes  # its published 33-byte encryption key


def seal(salt: bytes, features: Sequence[int], recipients: Sequence[Recipient]) -> bytes:
    if not 0 < len(recipients) < 256:
        raise EnvelopeError(f"a private input is sealed to 1..255 nodes, got {len(recipients)}")
    data_key = secrets.token_bytes(32)
    header = bytes([VERSION, len(recipients)])
    for recipient in recipients:
        if len(recipient.public_key) != 33:
            raise EnvelopeError(f"node {recipient.address} has no 33-byte encryption key on the coordinator")
        header += to_canonical_address(recipient.address) + ecies.encrypt(recipient.public_key, data_key, ECIES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = AES.new(data_key, AES.MODE_GCM, nonce=nonce)
    cipher.update(ASSOCIATED_DATA + header)
    ciphertext, tag = cipher.encrypt_and_digest(encode_input(salt, features))
    return header + nonce + ciphertext + tag


def recipients_of(payload: bytes) -> list[str]:
    count, _ = _header(payload)
    entry = ADDRESS_BYTES + WRAPPED_KEY_BYTES
    return [to_checksum_address(payload[2 + i * entry : 2 + i * entry + ADDRESS_BYTES]) for i in range(count)]


def open_envelope(payload: bytes, address: str, key: coincurve.PrivateKey) -> tuple[bytes, tuple[int, ...]]:
    """(salt, features) of a payload sealed to `address`; raises EnvelopeError saying why not."""
    count, body_at = _header(payload)
    entry = ADDRESS_BYTES + WRAPPED_KEY_BYTES
    own = to_canonical_address(address)
    for i in range(count):
        at = 2 + i * entry
        if payload[at : at + ADDRESS_BYTES] == own:
            wrapped = payload[at + ADDRESS_BYTES : at + entry]
            break
    else:
        raise EnvelopeError(f"the input is not sealed to this node ({address})")
    try:
        data_key = ecies.decrypt(key.secret, wrapped, ECIES)
    except (ValueError, TypeError) as error:
        raise EnvelopeError(f"this node's wrapped key does not decrypt: {type(error).__name__}") from None
    nonce = payload[body_at : body_at + NONCE_BYTES]
    ciphertext, tag = payload[body_at + NONCE_BYTES : -TAG_BYTES], payload[-TAG_BYTES:]
    cipher = AES.new(data_key, AES.MODE_GCM, nonce=nonce)
    cipher.update(ASSOCIATED_DATA + payload[:body_at])
    try:
        plaintext = cipher.decrypt_and_verify(ciphertext, tag)
    except ValueError:
        raise EnvelopeError("the encrypted input was altered (authentication tag mismatch)") from None
    try:
        return decode_input(plaintext)
    except Exception:  # eth_abi raises several types for malformed data
        raise EnvelopeError("the decrypted input is not abi.encode(bytes32 salt, int256[] features)") from None


def _header(payload: bytes) -> tuple[int, int]:
    if len(payload) < 2 or payload[0] != VERSION:
        raise EnvelopeError(f"not a version {VERSION} private input")
    count = payload[1]
    body_at = 2 + count * (ADDRESS_BYTES + WRAPPED_KEY_BYTES)
    if len(payload) < body_at + NONCE_BYTES + TAG_BYTES:
        raise EnvelopeError("the private input is truncated")
    return count, body_at
