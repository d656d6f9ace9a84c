// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Median of a short list of signed values (one per oracle signer).
library Median {
    /// @dev Sorts `values` in place (insertion sort: lists are as long as a signer set, at most 255).
    /// For an even count the result is the mean of the two middle values, rounded toward zero.
    function compute(int256[] memory values) internal pure returns (int256) {
        uint256 n = values.length;
        if (n == 1) return values[0];
        for (uint256 i = 1; i < n; ++i) {
            int256 key = values[i];
            uint256 j = i;
            while (j > 0 && values[j - 1] > key) {
                values[j] = values[j - 1];
                --j;
            }
            values[j] = key;
        }
        uint256 mid = n / 2;
        if (n % 2 == 1) return values[mid];
        return _meanTowardZero(values[mid - 1], values[mid]);
    }

    /// @dev trunc((a + b) / 2) without overflow: a = 2qa + ra, b = 2qb + rb with |ra|, |rb| <= 1.
    function _meanTowardZero(int256 a, int256 b) private pure returns (int256) {
        int256 quotients = a / 2 + b / 2;
        int256 remainders = a % 2 + b % 2;
        int256 mean = quotients + remainders / 2;
        if (remainders == 1 && quotients < 0) return mean + 1;
        if (remainders == -1 && quotients > 0) return mean - 1;
        return mean;
    }
}
