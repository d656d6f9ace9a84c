// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Recovers signers of EIP-2098 compact signatures (r, then s with the y-parity in its top bit), 64 bytes
/// each, packed back to back in calldata. Gives the same answers as OpenZeppelin's ECDSA.tryRecover on the
/// 65-byte form (tests/contracts/test_compact_signatures.py), without copying the signature to memory.
library CompactSignatures {
    uint256 internal constant LENGTH = 64;
    /// @dev Half the secp256k1 order: signatures with a larger s are malleable copies (EIP-2).
    uint256 private constant _MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice The signer of the `index`-th signature of `signatures` over `digest`; zero when the signature is
    /// invalid or malleable (high s). `signatures` must hold at least `index + 1` signatures.
    function recover(bytes32 digest, bytes calldata signatures, uint256 index) internal view returns (address) {
        uint256 at;
        assembly ("memory-safe") {
            at := add(signatures.offset, mul(index, 64))
        }
        return recoverAt(digest, at);
    }

    /// @notice `recover` of the signature at calldata offset `at`.
    function recoverAt(bytes32 digest, uint256 at) internal view returns (address signer) {
        assembly ("memory-safe") {
            let vs := calldataload(add(at, 0x20))
            let sValue := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), add(shr(255, vs), 27))
            mstore(add(m, 0x40), calldataload(at))
            mstore(add(m, 0x60), sValue)
            // Precompile 1 returns nothing for an invalid signature; a high s is refused as malleable.
            if and(staticcall(gas(), 1, m, 0x80, 0x00, 0x20), iszero(gt(sValue, _MAX_S))) {
                signer := mul(mload(0x00), eq(returndatasize(), 0x20))
            }
        }
    }
}
