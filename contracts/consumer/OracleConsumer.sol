// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {IOracleConsumer} from "../interfaces/IOracleConsumer.sol";
import {Attestation, AttestationProof, PullReport, Status} from "../libraries/OracleTypes.sol";
import {ObservationHashing} from "../libraries/ObservationHashing.sol";

/// @title OracleConsumer
/// @notice Base for contracts that act on AI predictions: request one (push) or check a signed
/// report a user brings (pull), check a data provider's attestation of the inputs, and handle answers
/// in `_onPrediction`.
abstract contract OracleConsumer is IOracleConsumer {
    error OracleConsumerOnlyCoordinator(address caller);
    error OracleConsumerWrongSubject(address expected, address reported);
    error OracleConsumerWrongConsumer(address expected, address reported);
    error OracleConsumerReportAlreadyUsed(bytes32 reportKey);
    /// @notice The coordinator has no AttestationRegistry, so attestations cannot be checked.
    error OracleConsumerNoAttestationRegistry();
    /// @notice Only the coordinator sends ether here (refunds of cancelled requests' fees).
    error OracleConsumerUnexpectedEther(address sender);

    /// @dev Fixed-point scale of probabilities and shares: 10,000 basis points are 100 %.
    uint256 internal constant _BPS = 10_000;

    IOracleCoordinator private immutable _coordinator;
    mapping(bytes32 reportKey => bool) private _usedPullReports;

    constructor(IOracleCoordinator coordinator_) {
        _coordinator = coordinator_;
    }

    function coordinator() public view returns (IOracleCoordinator) {
        return _coordinator;
    }

    /// @notice Accepts only the coordinator's payout of refunded fees (see `_payFeeRefund`).
    receive() external payable virtual {
        if (msg.sender != address(_coordinator)) revert OracleConsumerUnexpectedEther(msg.sender);
    }

    /// @inheritdoc IOracleConsumer
    function onPrediction(bytes32 requestId, Status status, int256 value) external {
        if (msg.sender != address(_coordinator)) revert OracleConsumerOnlyCoordinator(msg.sender);
        _onPrediction(requestId, status, value);
    }

    /// @dev Handles an answer: OK, INVALID_INPUT or MODEL_ERROR from the oracle, EXPIRED after a cancel.
    /// Runs with the request's callback gas limit; if it reverts, the answer is still final.
    function _onPrediction(bytes32 requestId, Status status, int256 value) internal virtual;

    /// @dev Pays `feeWei` (at least the coordinator's requestFee) from this contract's balance and returns the
    /// request id; a revert of the coordinator's is passed on as it is.
    /// Equal to `_coordinator.requestPrediction{value: feeWei}(modelId, features, deadline, callbackGasLimit)`,
    /// with the calldata encoded by hand so that the features are copied in one go (the ABI encoder copies them
    /// one at a time).
    function _requestPrediction(
        bytes32 modelId,
        int256[] calldata features,
        uint64 deadline,
        uint32 callbackGasLimit,
        uint256 feeWei
    ) internal returns (bytes32 requestId) {
        address coordinator_ = address(_coordinator);
        bytes4 selector = IOracleCoordinator.requestPrediction.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let featuresSize := shl(5, features.length)
            mstore(m, selector)
            mstore(add(m, 0x04), modelId)
            mstore(add(m, 0x24), 0x80)
            mstore(add(m, 0x44), and(deadline, 0xffffffffffffffff))
            mstore(add(m, 0x64), and(callbackGasLimit, 0xffffffff))
            mstore(add(m, 0x84), features.length)
            calldatacopy(add(m, 0xa4), features.offset, featuresSize)
            if iszero(call(gas(), coordinator_, feeWei, m, add(0xa4, featuresSize), 0x00, 0x20)) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            // A coordinator address without code returns nothing: refuse that as the ABI decoder would.
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            requestId := mload(0x00)
        }
    }

    /// @dev A private request: `inputCommitment` = keccak256(abi.encode(salt, features)) on chain, salt and
    /// features encrypted to the nodes in `encryptedInput`. Pays `feeWei` from this contract's balance.
    function _requestPrivatePrediction(
        bytes32 modelId,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        AttestationProof memory attestation,
        uint64 deadline,
        uint32 callbackGasLimit,
        uint256 feeWei
    ) internal returns (bytes32 requestId) {
        return _coordinator.requestPrivatePrediction{value: feeWei}(
            modelId, inputCommitment, encryptedInput, attestation, deadline, callbackGasLimit
        );
    }

    /// @dev Checks a pull-mode report made for `subject` and this contract, and marks it used (by
    /// `_pullReportKey`, which leaves out the values), so it acts once whichever signatures it carries.
    function _consumePullReport(PullReport calldata report, bytes calldata signatures, address subject)
        internal
        returns (Status status, int256 value)
    {
        if (report.subject != subject) revert OracleConsumerWrongSubject(subject, report.subject);
        if (report.consumer != address(this)) revert OracleConsumerWrongConsumer(address(this), report.consumer);
        bytes32 reportKey = _pullReportKey(report);
        if (_usedPullReports[reportKey]) revert OracleConsumerReportAlreadyUsed(reportKey);
        _usedPullReports[reportKey] = true;
        return _coordinator.verifyReport(report, signatures);
    }

    /// @dev What identifies a pull report once used: the hash of every field but its values and signatures.
    function _pullReportKey(PullReport calldata report) internal pure returns (bytes32) {
        return ObservationHashing.pullReportKey(report);
    }

    /// @dev Checks, with the coordinator's AttestationRegistry, a data provider's attestation that the input
    /// committed to by `inputHash` describes `subject` for `modelId`; returns the attester. Reverts with the
    /// registry's reason (expired, invalid signature, untrusted attester).
    function _verifyAttestation(
        address subject,
        bytes32 modelId,
        bytes32 inputHash,
        uint64 expiresAt,
        bytes calldata signature
    ) internal view returns (address attester) {
        address registry = _coordinator.attestationRegistry();
        if (registry == address(0)) revert OracleConsumerNoAttestationRegistry();
        return IAttestationRegistry(registry).verify(Attestation(subject, modelId, inputHash, expiresAt), signature);
    }

    /// @dev Collects fees the coordinator refunded for cancelled requests.
    function _withdrawRefunds(address payable to) internal {
        _coordinator.withdraw(to);
    }

    /// @dev Pays `to` a refunded fee: refunds wait in the coordinator until one payee collects them all into
    /// this contract (the coordinator credits every cancelled fee before the callback that records it here),
    /// so this contract's balance plus what the coordinator owes it always covers what it owes.
    function _payFeeRefund(address payable to, uint256 amountWei) internal {
        if (address(this).balance < amountWei) _withdrawRefunds(payable(address(this)));
        Address.sendValue(to, amountWei);
    }

    /// @dev Whether an answer is an OK value within 0..10,000 basis points (a probability or a score).
    function _isOkBps(Status status, int256 value) internal pure returns (bool) {
        return status == Status.OK && value >= 0 && value <= int256(_BPS);
    }
}
