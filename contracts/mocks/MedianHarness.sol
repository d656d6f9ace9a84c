// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Median} from "../libraries/Median.sol";

/// @notice Exposes the Median library to property tests.
contract MedianHarness {
    function median(int256[] memory values) external pure returns (int256) {
        return Median.compute(values);
    }
}
