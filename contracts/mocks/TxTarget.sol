// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Test-only target for the oracle node's transaction manager: a call that succeeds and emits an event,
/// a switch that makes it revert with a custom error, and calls that revert with Error(string) and Panic.
contract TxTarget {
    error TxTargetClosed(address caller, uint256 value);

    event Poked(address indexed caller, uint256 value);

    bool public closed;
    uint256 public pokes;

    /// @notice Counts a poke, or reverts with TxTargetClosed while the target is closed.
    function poke(uint256 value) external {
        if (closed) revert TxTargetClosed(msg.sender, value);
        pokes += 1;
        emit Poked(msg.sender, value);
    }

    /// @notice Opens or closes the target; anyone may call it (test-only).
    function setClosed(bool closed_) external {
        closed = closed_;
    }

    /// @notice Always reverts with Error(string).
    function failWithReason(string calldata reason) external pure {
        revert(reason);
    }

    /// @notice Reverts with Panic(0x12) when `divisor` is zero.
    function divide(uint256 divisor) external pure returns (uint256) {
        return 1 / divisor;
    }
}
