// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Test and demo ERC-20 with configurable decimals. Anyone may mint on a local chain
/// (chain id 31337); elsewhere only the owner.
contract MockStablecoin is ERC20, Ownable {
    uint256 private constant _LOCAL_CHAIN_ID = 31337;
    uint8 private immutable _decimals;

    error MockStablecoinMintNotAllowed(address caller);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_)
        ERC20(name_, symbol_)
        Ownable(owner_)
    {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to`: anyone on a local chain, the owner anywhere.
    function mint(address to, uint256 amount) external {
        if (block.chainid != _LOCAL_CHAIN_ID && msg.sender != owner()) revert MockStablecoinMintNotAllowed(msg.sender);
        _mint(to, amount);
    }
}
