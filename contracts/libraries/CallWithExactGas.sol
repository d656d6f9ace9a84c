// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Calls a contract with exactly a given amount of gas, or not at all (after Chainlink's CallWithExactGas).
/// @dev EIP-150 forwards at most 63/64 of the gas left, so `call(gasLimit, ...)` may silently give the callee less
/// than `gasLimit`; a caller that relays for someone else could then make the callee fail on purpose. This checks,
/// before calling, that `gasLimit` can be forwarded in full, keeping `gasForCheck` back for the check itself and
/// for what the caller does after the call, and that the subtraction cannot underflow.
library CallWithExactGas {
    /// @notice Calls `target` with the `length` bytes of memory at `payload` and exactly `gasLimit` gas, ignoring
    /// what it returns (no return-data bomb). Calls nothing when there is not enough gas left for that.
    /// @return enoughGas whether `gasLimit` could be forwarded in full (false: no call was made)
    /// @return success whether the call was made and did not revert
    function tryCall(address target, uint256 gasLimit, uint256 gasForCheck, uint256 payload, uint256 length)
        internal
        returns (bool enoughGas, bool success)
    {
        assembly ("memory-safe") {
            let g := gas()
            if gt(g, gasForCheck) {
                g := sub(g, gasForCheck)
                enoughGas := gt(sub(g, div(g, 64)), gasLimit)
            }
            if enoughGas { success := call(gasLimit, target, 0, payload, length, 0, 0) }
        }
    }
}
