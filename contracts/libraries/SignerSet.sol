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
}
