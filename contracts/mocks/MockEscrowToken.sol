// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test and demo ERC-20 for the supply-chain escrow: anyone may mint. For tests it can refuse
/// transfers to blocked accounts (like a stablecoin's blocklist), burn a fee on transfers (a fee-on-transfer
/// token), and make one call during the next transfer (a token that re-enters its caller).
contract MockEscrowToken is ERC20 {
    error MockEscrowTokenBlocked(address account);

    mapping(address account => bool) public blocked;
    uint16 public transferFeeBps;
    address private _hookTarget;
    bytes private _hookData;

    constructor() ERC20("Mock Escrow Dollar", "mUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

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
        if (blocked[to]) revert MockEscrowTokenBlocked(to);
        address hookTarget = _hookTarget;
        if (hookTarget != address(0)) {
            delete _hookTarget;
            Address.functionCall(hookTarget, _hookData);
        }
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * transferFeeBps / 10_000;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
