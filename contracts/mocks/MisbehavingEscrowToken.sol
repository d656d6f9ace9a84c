// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {MockEscrowToken} from "./MockEscrowToken.sol";

/// @notice Test token for the supply-chain escrow that can misbehave: refuse transfers to blocked accounts
/// (like a stablecoin's blocklist), burn a fee on transfers (a fee-on-transfer token), and make one call
/// during the next transfer (a token that re-enters its caller).
contract MisbehavingEscrowToken is MockEscrowToken {
    error MisbehavingEscrowTokenBlocked(address account);

    mapping(address account => bool) public blocked;
    uint16 public transferFeeBps;
    address private _hookTarget;
    bytes private _hookData;

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function setTransferFeeBps(uint16 feeBps) external {
        transferFeeBps = feeBps;
    }

    /// @notice The next transfer calls `target` with `data` and bubbles up its revert.
    function setTransferHook(address target, bytes calldata data) external {
        _hookTarget = target;
        _hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert MisbehavingEscrowTokenBlocked(to);
        address hookTarget = _hookTarget;
        if (hookTarget != address(0)) {
            delete _hookTarget;
            // The hook re-enters its caller to test it; what it returns does not matter, only that it ran.
            // slither-disable-next-line unused-return
            Address.functionCall(hookTarget, _hookData);
        }
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * transferFeeBps / 10_000;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
