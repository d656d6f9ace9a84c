// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MockStablecoin} from "./MockStablecoin.sol";

/// @notice Test and demo collateral token: the same mintable ERC-20 under its own name, so a
/// deployment lists which token is the collateral.
contract MockCollateralToken is MockStablecoin {
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_)
        MockStablecoin(name_, symbol_, decimals_, owner_)
    {}
}
