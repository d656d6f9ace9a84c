// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title OracleTimelock
/// @notice OpenZeppelin's TimelockController, unchanged, compiled with the project so that a deploy can hand it the
/// contracts' ownership (scripts/timelock.py): every owner action is then scheduled in public and runs only after
/// the minimum delay.
contract OracleTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
