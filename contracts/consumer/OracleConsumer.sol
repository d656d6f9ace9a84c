// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {IOracleConsumer} from "../interfaces/IOracleConsumer.sol";
import {PullReport, Status} from "../libraries/OracleTypes.sol";

/// @title OracleConsumer
/// @notice Base for contracts that act on AI predictions: request one (push) or check a signed
/// report a user brings (pull), and handle answers in `_onPrediction`.
abstract contract OracleConsumer is IOracleConsumer {
    error OracleConsumerOnlyCoordinator(address caller);
    error OracleConsumerWrongSubject(address expected, address reported);
    error OracleConsumerReportAlreadyUsed(bytes32 reportHash);

    IOracleCoordinator private immutable _coordinator;
    mapping(bytes32 reportHash => bool) private _usedPullReports;

    constructor(IOracleCoordinator coordinator_) {
        _coordinator = coordinator_;
    }

    function coordinator() public view returns (IOracleCoordinator) {
        return _coordinator;
    }

    /// @inheritdoc IOracleConsumer
    function onPrediction(bytes32 requestId, Status status, int256 value) external {
        if (msg.sender != address(_coordinator)) revert OracleConsumerOnlyCoordinator(msg.sender);
        _onPrediction(requestId, status, value);
    }

    /// @dev Handles an answer: OK, INVALID_INPUT or MODEL_ERROR from the oracle, EXPIRED after a cancel.
    /// Runs with the request's callback gas limit; if it reverts, the answer is still final.
    function _onPrediction(bytes32 requestId, Status status, int256 value) internal virtual;

    /// @dev Pays `feeWei` (the model's fee) from this contract's balance and returns the request id.
    function _requestPrediction(
        bytes32 modelId,
        int256[] memory features,
        uint64 deadline,
        uint32 callbackGasLimit,
        uint256 feeWei
    ) internal returns (bytes32 requestId) {
        return _coordinator.requestPrediction{value: feeWei}(modelId, features, deadline, callbackGasLimit);
    }

    /// @dev Checks a pull-mode report made for `subject` and marks it used, so it acts once.
    function _consumePullReport(PullReport calldata report, bytes calldata signatures, address subject)
        internal
        returns (Status status, int256 value)
    {
        if (report.subject != subject) revert OracleConsumerWrongSubject(subject, report.subject);
        bytes32 reportHash = keccak256(abi.encode(report));
        if (_usedPullReports[reportHash]) revert OracleConsumerReportAlreadyUsed(reportHash);
        _usedPullReports[reportHash] = true;
        return _coordinator.verifyReport(report, signatures);
    }

    /// @dev Collects fees the coordinator refunded for cancelled requests.
    function _withdrawRefunds(address payable to) internal {
        _coordinator.withdraw(to);
    }
}
