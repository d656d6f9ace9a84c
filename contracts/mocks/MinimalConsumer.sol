// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleConsumer} from "../consumer/OracleConsumer.sol";
import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {AttestationProof, Status} from "../libraries/OracleTypes.sol";

/// @notice The gas benchmark's consumer: stores one uint256 per answer, like the reference oracles' benchmarks.
contract MinimalConsumer is OracleConsumer {
    int256 public lastValue;

    constructor(IOracleCoordinator coordinator_) OracleConsumer(coordinator_) {}

    function request(bytes32 modelId, int256[] calldata features, uint64 deadline, uint32 callbackGasLimit)
        external
        payable
        returns (bytes32)
    {
        return _requestPrediction(modelId, features, deadline, callbackGasLimit, msg.value);
    }

    function privateRequest(
        bytes32 modelId,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        AttestationProof calldata attestation,
        uint64 deadline,
        uint32 callbackGasLimit
    ) external payable returns (bytes32) {
        return _requestPrivatePrediction(
            modelId, inputCommitment, encryptedInput, attestation, deadline, callbackGasLimit, msg.value
        );
    }

    function _onPrediction(bytes32, Status, int256 value) internal override {
        lastValue = value;
    }
}
