// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Demo and benchmark ERC-20 for the supply-chain escrow: a plain OpenZeppelin token anyone may mint.
contract MockEscrowToken is ERC20 {
    constructor() ERC20("Mock Escrow Dollar", "mUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
