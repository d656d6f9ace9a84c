// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleConsumer} from "../consumer/OracleConsumer.sol";
import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {AttestationProof, PullReport, Status} from "../libraries/OracleTypes.sol";

/// @notice Test and demo consumer: requests predictions and stores the latest answer.
contract ConsumerMock is OracleConsumer {
    enum Behaviour {
        Store,
        Revert,
        BurnGas
    }

    error ConsumerMockRejected(bytes32 requestId);

    event AnswerReceived(bytes32 indexed requestId, Status status, int256 value);

    Behaviour public behaviour;
    bytes32 public lastRequestId;
    Status public lastStatus;
    int256 public lastValue;
    uint256 public answers;

    constructor(IOracleCoordinator coordinator_) OracleConsumer(coordinator_) {}

    receive() external payable override {}

    function setBehaviour(Behaviour newBehaviour) external {
        behaviour = newBehaviour;
    }

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

    function consumePullReport(PullReport calldata report, bytes calldata signatures)
        external
        returns (Status status, int256 value)
    {
        (status, value) = _consumePullReport(report, signatures, msg.sender);
        lastStatus = status;
        lastValue = value;
    }

    function withdrawRefunds(address payable to) external {
        _withdrawRefunds(to);
    }

    function _onPrediction(bytes32 requestId, Status status, int256 value) internal override {
        if (behaviour == Behaviour.Revert) revert ConsumerMockRejected(requestId);
        if (behaviour == Behaviour.BurnGas) {
            while (true) {
                answers += 1;
            }
        }
        lastRequestId = requestId;
        lastStatus = status;
        lastValue = value;
        answers += 1;
        emit AnswerReceived(requestId, status, value);
    }
}
