"""A node's encryption key: derived from its signing key, so an operator keeps one secret, yet a
different scalar, so decryption and signing never share a key (the public half is published on the
coordinator with setEncryptionKey and rotates with the signer set)."""

from __future__ import annotations

import coincurve
from eth_utils import keccak

_DOMAIN = b"ai-oracle encryption key v1"
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def encryption_key(signing_key: bytes) -> coincurve.PrivateKey:
    material = keccak(_DOMAIN + signing_key)
    while not 0 < int.from_bytes(material, "big") < _ORDER:  # astronomically rare
        material = keccak(material)
    return coincurve.PrivateKey(material)


def public_key(key: coincurve.PrivateKey) -> bytes:
    """33-byte compressed public key, as the coordinator stores it."""
    return key.public_key.format(compressed=True)
