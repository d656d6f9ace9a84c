// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";

/// @notice Median of a report's values (one per oracle signer), which the relayer sends sorted.
/// @dev Why the lower median of a sorted list: with at most f faulty signers among k >= 2f + 1 values,
/// at least f + 1 values lie at or below values[(k - 1) / 2] and at least f + 1 at or above it, so an
/// honest value lies on each side and the result is within the honest range. Averaging the two middle
/// values of an even count would give that up (one of the two may be faulty), and sorting on chain
/// would cost gas for what an O(n) check proves just as well. Chainlink OCR2 reports the same way.
library Median {
    /// @dev values[(n - 1) / 2] of a non-empty list; reverts with OracleCoordinatorValuesNotSorted(i) at the
    /// first value smaller than the one before it, since signature i signs value i and the relayer must not
    /// reorder them. The loop is assembly because this runs in every fulfilment: it skips bounds checks
    /// (the ABI decoder has checked that n words from values.offset lie inside the calldata) and, reverting
    /// from assembly, keeps the optimizer's code for the coordinator's other functions as it was.
    function lowerOfSorted(int256[] calldata values) internal pure returns (int256 median) {
        uint256 n = values.length;
        median = values[0]; // Panic 0x32 on an empty list
        if (n == 1) return median;
        bytes4 selector = IOracleCoordinator.OracleCoordinatorValuesNotSorted.selector;
        assembly ("memory-safe") {
            let previous := median
            for { let i := 1 } lt(i, n) { i := add(i, 1) } {
                let current := calldataload(add(values.offset, shl(5, i)))
                if slt(current, previous) {
                    mstore(0x00, selector)
                    mstore(0x04, i)
                    revert(0x00, 0x24)
                }
                previous := current
            }
            median := calldataload(add(values.offset, shl(5, shr(1, sub(n, 1)))))
        }
    }
}
