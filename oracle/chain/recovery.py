"""Who signed an observation: the Python twin of the coordinator's compact-signature recovery."""

from __future__ import annotations

import coincurve
from eth_utils import keccak, to_checksum_address

from oracle.errors import OracleError

# Half the secp256k1 order: a larger s is the malleable twin of a valid signature, refused as on chain.
_MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
_S_MASK = (1 << 255) - 1


class InvalidSignature(OracleError, ValueError):
    """A signature that recovers no signer, or only through a malleable encoding."""


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The checksummed address that made the EIP-2098 compact `signature` (64 bytes) over `digest`."""
    if len(signature) != 64:
        raise InvalidSignature(f"a compact signature is 64 bytes, got {len(signature)}")
    vs = int.from_bytes(signature[32:], "big")
    s, parity = vs & _S_MASK, vs >> 255
    if s == 0 or s > _MAX_S:
        raise InvalidSignature("signature s is zero or in the upper half of the curve order")
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(
            signature[:32] + s.to_bytes(32, "big") + bytes([parity]), digest, hasher=None
        )
    except ValueError as error:
        raise InvalidSignature(f"no signer recovers from this signature: {error}") from None
    return to_checksum_address(keccak(public_key.format(compressed=False)[1:])[-20:])
