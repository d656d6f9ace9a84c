// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleConsumer} from "../consumer/OracleConsumer.sol";
import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {Status} from "../libraries/OracleTypes.sol";

/// @notice Test consumer that records the gas its callback started with, to show it got the whole limit.
contract GasProbeConsumer is OracleConsumer {
    uint256 public gasAtCallback;

    constructor(IOracleCoordinator coordinator_) OracleConsumer(coordinator_) {}

    function request(bytes32 modelId, int256[] calldata features, uint64 deadline, uint32 callbackGasLimit)
        external
        payable
        returns (bytes32)
    {
        return _requestPrediction(modelId, features, deadline, callbackGasLimit, msg.value);
    }

    function _onPrediction(bytes32, Status, int256) internal override {
        gasAtCallback = gasleft();
    }
}
