"""What goes on chain instead of features: keccak256(abi.encode(bytes32 salt, int256[] features)).

The salt keeps the commitment from being brute-forced back to features drawn from a small range (an
applicant's age, a number of dependants); whoever holds features and salt can show they match."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from eth_abi import decode, encode
from eth_utils import keccak

SALT_BYTES = 32
_FEATURES_OFFSET = (2 * 32).to_bytes(32, "big")  # the dynamic array starts after the two head words


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def encode_input(salt: bytes, features: Sequence[int]) -> bytes:
    """abi.encode(bytes32, int256[]): written directly for a 32-byte salt and plain ints (on every pull
    report; eth_abi's validation costs ~20x more), else by eth_abi, whose errors then apply. Pinned to
    eth_abi by tests/oracle/privacy/test_commitment_codec.py."""
    if len(salt) == SALT_BYTES and all(type(f) is int for f in features):
        try:
            words = b"".join(f.to_bytes(32, "big", signed=True) for f in features)
        except OverflowError:
            pass
        else:
            return salt + _FEATURES_OFFSET + len(features).to_bytes(32, "big") + words
    return encode(["bytes32", "int256[]"], [salt, list(features)])


def decode_input(encoded: bytes) -> tuple[bytes, tuple[int, ...]]:
    salt, features = decode(["bytes32", "int256[]"], encoded)
    return bytes(salt), tuple(features)


def commitment(salt: bytes, features: Sequence[int]) -> bytes:
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a salt is {SALT_BYTES} bytes, got {len(salt)}")
    return keccak(encode_input(salt, features))
