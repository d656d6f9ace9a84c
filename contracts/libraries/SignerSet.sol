// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";

/// @notice The coordinator's k-of-n signer set: each signer's slot (membership, its bit index, its earned fees)
/// and the list of active signers. A signer's index is a bit of a uint256 bitmap, which bounds the set at 255.
library SignerSet {
    uint256 internal constant MAX_SIGNERS = 255;

    /// @dev One slot per signer: fulfilment checks membership and credits the fee with one cold access.
    struct Signer {
        bool active;
        uint8 index;
        uint96 balanceWei;
    }

    struct Set {
        mapping(address signer => Signer) signers;
        address[] list;
    }

    function add(Set storage set, address signer) internal {
        if (signer == address(0)) revert IOracleCoordinator.OracleCoordinatorZeroAddress();
        Signer storage state = set.signers[signer];
        if (state.active) revert IOracleCoordinator.OracleCoordinatorSignerExists(signer);
        uint256 count = set.list.length;
        if (count == MAX_SIGNERS) revert IOracleCoordinator.OracleCoordinatorTooManySigners(MAX_SIGNERS);
        state.active = true;
        state.index = uint8(count);
        set.list.push(signer);
    }

    /// @notice Removes `signer` (its earned fees stay in its slot), moving the last signer into its index;
    /// reverts if fewer than `minRemaining` signers would remain.
    function remove(Set storage set, address signer, uint256 minRemaining) internal {
        Signer storage state = set.signers[signer];
        if (!state.active) revert IOracleCoordinator.OracleCoordinatorUnknownSigner(signer);
        uint256 remaining = set.list.length - 1;
        if (remaining < minRemaining) revert IOracleCoordinator.OracleCoordinatorInvalidThreshold(minRemaining, remaining);
        address moved = set.list[remaining];
        set.list[state.index] = moved;
        set.signers[moved].index = state.index;
        set.list.pop();
        state.active = false;
        state.index = 0;
    }

    function isActive(Set storage set, address account) internal view returns (bool) {
        return set.signers[account].active;
    }

    /// @notice `signer`'s slot and its value, read once: a fulfilment checks the signer with `isActiveWord` and
    /// `indexOfWord`, then pays it with `credit`, without reading the slot again.
    /// @dev Solidity packs Signer in member order from the low bytes: `active` is the lowest byte of the word,
    /// `index` the next one, `balanceWei` the 12 bytes above them.
    function load(Set storage set, address signer) internal view returns (Signer storage state, uint256 word) {
        state = set.signers[signer];
        assembly ("memory-safe") {
            word := sload(state.slot)
        }
    }

    function isActiveWord(uint256 word) internal pure returns (bool) {
        return word & 0xff != 0;
    }

    function indexOfWord(uint256 word) internal pure returns (uint256) {
        return (word >> 8) & 0xff;
    }

    /// @notice Adds `amountWei` to the balance of the signer whose slot `load` read as `word`; the slot must not
    /// have been written since. The caller guarantees that the balance stays below 2**96 wei (balances sum to at
    /// most the ether the coordinator holds).
    function credit(Signer storage state, uint256 word, uint96 amountWei) internal {
        assembly ("memory-safe") {
            sstore(state.slot, add(word, shl(16, and(amountWei, 0xffffffffffffffffffffffff))))
        }
    }
}
