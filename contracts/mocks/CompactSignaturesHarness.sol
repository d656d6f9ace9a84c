// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {CompactSignatures} from "../libraries/CompactSignatures.sol";

/// @notice Test harness: CompactSignatures.recover next to OpenZeppelin's ECDSA.tryRecover of the same signature.
contract CompactSignaturesHarness {
    function recover(bytes32 digest, bytes calldata signatures, uint256 index) external view returns (address) {
        return CompactSignatures.recover(digest, signatures, index);
    }

    /// @dev OpenZeppelin's answer, zero for any error (as `recover` gives).
    function tryRecover(bytes32 digest, bytes32 r, bytes32 vs) external pure returns (address) {
        // The third value only details the error, already reduced to a zero address here.
        // slither-disable-next-line unused-return
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, r, vs);
        return error == ECDSA.RecoverError.NoError ? signer : address(0);
    }
}
