// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Median} from "../libraries/Median.sol";

/// @notice Exposes the Median library to property tests. Its revert, OracleCoordinatorValuesNotSorted,
/// is raised from assembly and so is in the coordinator's ABI only: tests decode it from there.
contract MedianHarness {
    function lowerOfSorted(int256[] calldata values) external pure returns (int256) {
        return Median.lowerOfSorted(values);
    }
}
