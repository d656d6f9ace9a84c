// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test and demo ERC-20 for the supply-chain escrow: anyone may mint; it can refuse transfers to
/// blocked accounts (like a stablecoin's blocklist) and burn a fee on transfers (a fee-on-transfer token).
contract MockEscrowToken is ERC20 {
    error MockEscrowTokenBlocked(address account);

    mapping(address account => bool) public blocked;
    uint16 public transferFeeBps;

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

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert MockEscrowTokenBlocked(to);
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * transferFeeBps / 10_000;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
