// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {IOracleConsumer} from "../interfaces/IOracleConsumer.sol";
import {AttestationProof, Model, Request, Report, PullReport, Status} from "../libraries/OracleTypes.sol";
import {ObservationHashing} from "../libraries/ObservationHashing.sol";
import {Median} from "../libraries/Median.sol";

/// @title OracleCoordinator
/// @notice Model registry, k-of-n signer set, and request / fulfil / cancel life cycle of AI predictions.
contract OracleCoordinator is IOracleCoordinator, EIP712, Ownable2Step {
    /// @notice Signer indexes are bits of a uint256 bitmap, which bounds the set.
    uint256 private constant _MAX_SIGNERS = 255;
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 2_500_000;
    uint64 private constant _MAX_REQUEST_TTL_SECONDS = 30 days;
    /// @notice Bounds a private request's encrypted input: one wrapped key per signer (about 117 bytes
    /// each) plus the ciphertext of salt and features.
    uint256 private constant _MAX_ENCRYPTED_INPUT_BYTES = 16 * 1024;
    /// @dev A compressed secp256k1 public key: 0x02 or 0x03 (the parity of y), then x.
    uint256 private constant _ENCRYPTION_KEY_LENGTH = 33;
    /// @dev Gas kept back to finish after the callback returns, and to pay for the exact-gas check itself.
    uint256 private constant _GAS_FOR_CALL_EXACT_CHECK = 5_000;
    /// @dev EIP-2098 compact signatures: r, then s with the y-parity in its top bit.
    uint256 private constant _SIGNATURE_LENGTH = 64;
    /// @dev Half the secp256k1 order: signatures with a larger s are malleable copies (EIP-2).
    uint256 private constant _MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @dev One slot per signer: fulfilment checks membership and credits the fee with one cold access.
    struct SignerState {
        bool active;
        uint8 index;
        uint96 balanceWei;
    }

    /// @dev What every request and fulfilment reads, in one slot so that each reads it once. The pause
    /// flag lives here rather than in OpenZeppelin's Pausable, whose private flag would cost a second read.
    struct Config {
        uint8 threshold;
        bool paused;
        uint64 requestNonce;
    }

    Config private _config;

    mapping(bytes32 modelId => Model) private _models;
    mapping(address signer => SignerState) private _signerStates;
    address[] private _signerList;
    mapping(bytes32 requestId => bytes32 commitment) private _commitments;
    mapping(address consumer => uint256 refundWei) private _refunds;
    mapping(address signer => bytes publicKey) private _encryptionKeys;
    address private _attestationRegistry;

    constructor(address initialOwner, address[] memory initialSigners, uint8 initialThreshold)
        EIP712("OracleCoordinator", "1")
        Ownable(initialOwner)
    {
        for (uint256 i = 0; i < initialSigners.length; ++i) {
            _addSigner(initialSigners[i]);
        }
        _setThreshold(initialThreshold);
    }

    // ================================================================ consumers

    /// @inheritdoc IOracleCoordinator
    function requestPrediction(bytes32 modelId, int256[] calldata features, uint64 deadline, uint32 callbackGasLimit)
        external
        payable
        returns (bytes32 requestId)
    {
        Config memory config = _config;
        if (config.paused) revert OracleCoordinatorPaused();
        if (features.length == 0) revert OracleCoordinatorEmptyFeatures();
        Request memory request =
            _newRequest(modelId, ObservationHashing.inputHash(features), deadline, callbackGasLimit);
        requestId = _storeRequest(config.requestNonce, request);
        emit PredictionRequested(requestId, modelId, msg.sender, request, features);
    }

    /// @inheritdoc IOracleCoordinator
    function requestPrivatePrediction(
        bytes32 modelId,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        AttestationProof calldata attestation,
        uint64 deadline,
        uint32 callbackGasLimit
    ) external payable returns (bytes32 requestId) {
        Config memory config = _config;
        if (config.paused) revert OracleCoordinatorPaused();
        if (inputCommitment == bytes32(0)) revert OracleCoordinatorZeroHash();
        if (encryptedInput.length == 0 || encryptedInput.length > _MAX_ENCRYPTED_INPUT_BYTES) {
            revert OracleCoordinatorInvalidEncryptedInput(encryptedInput.length, _MAX_ENCRYPTED_INPUT_BYTES);
        }
        Request memory request = _newRequest(modelId, inputCommitment, deadline, callbackGasLimit);
        requestId = _storeRequest(config.requestNonce, request);
        emit PrivatePredictionRequested(
            requestId,
            modelId,
            msg.sender,
            request,
            attestation.subject,
            attestation.expiresAt,
            attestation.signature,
            encryptedInput
        );
    }

    /// @inheritdoc IOracleCoordinator
    function fulfill(Report calldata report, bytes calldata signatures) external {
        uint256 threshold_ = _thresholdWhenNotPaused();
        bytes32 stored = _commitments[report.requestId];
        if (stored == bytes32(0)) revert OracleCoordinatorUnknownRequest(report.requestId);
        if (block.timestamp > report.request.deadline) {
            revert OracleCoordinatorRequestExpired(report.requestId, report.request.deadline);
        }
        _fulfill(report, signatures, stored, threshold_);
    }

    /// @inheritdoc IOracleCoordinator
    function fulfillBatch(Report[] calldata reports, bytes[] calldata signatures) external {
        uint256 threshold_ = _thresholdWhenNotPaused();
        if (reports.length != signatures.length) {
            revert OracleCoordinatorBatchLengthMismatch(reports.length, signatures.length);
        }
        for (uint256 i = 0; i < reports.length; ++i) {
            Report calldata report = reports[i];
            bytes32 stored = _commitments[report.requestId];
            if (stored == bytes32(0)) {
                emit ReportSkipped(report.requestId, OracleCoordinatorUnknownRequest.selector);
            } else if (block.timestamp > report.request.deadline) {
                emit ReportSkipped(report.requestId, OracleCoordinatorRequestExpired.selector);
            } else {
                _fulfill(report, signatures[i], stored, threshold_);
            }
        }
    }

    /// @inheritdoc IOracleCoordinator
    function cancel(bytes32 requestId, Request calldata request) external {
        _checkCommitment(requestId, request, _commitments[requestId]);
        if (block.timestamp <= request.deadline) {
            revert OracleCoordinatorRequestNotExpired(requestId, request.deadline);
        }
        delete _commitments[requestId];
        _refunds[request.consumer] += request.feeWei;
        emit PredictionCancelled(requestId, request.consumer);
        _callConsumer(requestId, request, Status.EXPIRED, 0);
    }

    /// @inheritdoc IOracleCoordinator
    function verifyReport(PullReport calldata report, bytes calldata signatures)
        external
        view
        returns (Status status, int256 value)
    {
        uint256 threshold_ = _thresholdWhenNotPaused();
        Model storage model = _models[report.modelId];
        if (model.artifactHash == bytes32(0)) revert OracleCoordinatorUnknownModel(report.modelId);
        if (!model.active) revert OracleCoordinatorModelInactive(report.modelId);
        if (report.artifactHash != model.artifactHash) {
            revert OracleCoordinatorArtifactMismatch(report.modelId, model.artifactHash, report.artifactHash);
        }
        if (block.timestamp > report.validUntil) revert OracleCoordinatorReportExpired(report.validUntil);
        _checkStatus(report.status);
        int256[] calldata values = report.values;
        uint256 count = _checkQuorum(values.length, signatures.length, threshold_);
        value = Median.lowerOfSorted(values);
        uint256 seen;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 digest = _hashTypedDataV4(ObservationHashing.pullObservationHash(report, values[i]));
            (, seen) = _recoverSigner(digest, signatures, i, seen);
        }
        return (report.status, value);
    }

    /// @inheritdoc IOracleCoordinator
    function setEncryptionKey(bytes calldata publicKey) external {
        if (!_signerStates[msg.sender].active) revert OracleCoordinatorUnknownSigner(msg.sender);
        if (publicKey.length != _ENCRYPTION_KEY_LENGTH || (publicKey[0] != 0x02 && publicKey[0] != 0x03)) {
            revert OracleCoordinatorInvalidEncryptionKey(publicKey);
        }
        _encryptionKeys[msg.sender] = publicKey;
        emit EncryptionKeySet(msg.sender, publicKey);
    }

    /// @inheritdoc IOracleCoordinator
    function withdraw(address payable to) external {
        if (to == address(0)) revert OracleCoordinatorZeroAddress();
        uint256 amountWei = _signerStates[msg.sender].balanceWei + _refunds[msg.sender];
        if (amountWei == 0) revert OracleCoordinatorNothingToWithdraw(msg.sender);
        _signerStates[msg.sender].balanceWei = 0;
        _refunds[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amountWei);
        (bool sent,) = to.call{value: amountWei}("");
        if (!sent) revert OracleCoordinatorTransferFailed(to, amountWei);
    }

    // ================================================================ owner: models

    function registerModel(bytes32 modelId, bytes32 artifactHash, bytes32 schemaHash, uint96 feeWei)
        external
        onlyOwner
    {
        if (modelId == bytes32(0) || artifactHash == bytes32(0) || schemaHash == bytes32(0)) {
            revert OracleCoordinatorZeroHash();
        }
        if (_models[modelId].artifactHash != bytes32(0)) revert OracleCoordinatorModelExists(modelId);
        _models[modelId] = Model(artifactHash, schemaHash, 1, feeWei, true);
        emit ModelRegistered(modelId, artifactHash, schemaHash, feeWei);
    }

    /// @notice Publishes a new artifact (and schema) for a model. Requests made before keep the
    /// artifact they committed to; reports must be signed over it.
    function updateModel(bytes32 modelId, bytes32 artifactHash, bytes32 schemaHash) external onlyOwner {
        if (artifactHash == bytes32(0) || schemaHash == bytes32(0)) revert OracleCoordinatorZeroHash();
        Model storage model = _existingModel(modelId);
        model.artifactHash = artifactHash;
        model.schemaHash = schemaHash;
        uint64 version = ++model.version;
        emit ModelVersioned(modelId, version, artifactHash, schemaHash);
    }

    function setModelFee(bytes32 modelId, uint96 feeWei) external onlyOwner {
        _existingModel(modelId).feeWei = feeWei;
        emit ModelFeeChanged(modelId, feeWei);
    }

    function setModelActive(bytes32 modelId, bool active) external onlyOwner {
        _existingModel(modelId).active = active;
        emit ModelActivationChanged(modelId, active);
    }

    // ================================================================ owner: signers

    function addSigner(address signer) external onlyOwner {
        _addSigner(signer);
    }

    /// @notice Removes a signer from the set and deletes its encryption key, so that new private requests
    /// are no longer encrypted to it; fees it earned stay withdrawable.
    function removeSigner(address signer) external onlyOwner {
        SignerState storage state = _signerStates[signer];
        if (!state.active) revert OracleCoordinatorUnknownSigner(signer);
        uint256 remaining = _signerList.length - 1;
        uint8 threshold_ = _config.threshold;
        if (remaining < threshold_) revert OracleCoordinatorInvalidThreshold(threshold_, remaining);
        address moved = _signerList[remaining];
        _signerList[state.index] = moved;
        _signerStates[moved].index = state.index;
        _signerList.pop();
        state.active = false;
        state.index = 0;
        emit SignerRemoved(signer);
        if (_encryptionKeys[signer].length != 0) {
            delete _encryptionKeys[signer];
            emit EncryptionKeySet(signer, "");
        }
    }

    function setThreshold(uint8 newThreshold) external onlyOwner {
        _setThreshold(newThreshold);
    }

    /// @notice Sets the AttestationRegistry that consumers and nodes check attestations with (zero: none).
    function setAttestationRegistry(address registry) external onlyOwner {
        _attestationRegistry = registry;
        emit AttestationRegistrySet(registry);
    }

    /// @notice Stops new requests, fulfilments and pull-report checks; cancel and withdraw stay open.
    function pause() external onlyOwner {
        if (_config.paused) revert OracleCoordinatorPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyOwner {
        if (!_config.paused) revert OracleCoordinatorNotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // ================================================================ views

    /// @inheritdoc IOracleCoordinator
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @inheritdoc IOracleCoordinator
    function isSigner(address account) external view returns (bool) {
        return _signerStates[account].active;
    }

    /// @inheritdoc IOracleCoordinator
    function signers() external view returns (address[] memory) {
        return _signerList;
    }

    /// @inheritdoc IOracleCoordinator
    function threshold() external view returns (uint8) {
        return _config.threshold;
    }

    /// @inheritdoc IOracleCoordinator
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IOracleCoordinator
    function balanceOf(address account) external view returns (uint256) {
        return _signerStates[account].balanceWei + _refunds[account];
    }

    /// @inheritdoc IOracleCoordinator
    function commitmentOf(bytes32 requestId) external view returns (bytes32) {
        return _commitments[requestId];
    }

    /// @inheritdoc IOracleCoordinator
    function requestCount() external view returns (uint256) {
        return _config.requestNonce;
    }

    /// @inheritdoc IOracleCoordinator
    function attestationRegistry() external view returns (address) {
        return _attestationRegistry;
    }

    /// @inheritdoc IOracleCoordinator
    function encryptionKeyOf(address signer) external view returns (bytes memory) {
        return _encryptionKeys[signer];
    }

    /// @inheritdoc IOracleCoordinator
    function encryptionKeys() external view returns (address[] memory signers_, bytes[] memory publicKeys) {
        signers_ = _signerList;
        publicKeys = new bytes[](signers_.length);
        for (uint256 i = 0; i < signers_.length; ++i) {
            publicKeys[i] = _encryptionKeys[signers_[i]];
        }
    }

    /// @inheritdoc IOracleCoordinator
    function observationDigest(Report calldata report, int256 value) external view returns (bytes32) {
        return _hashTypedDataV4(ObservationHashing.observationHash(report, value));
    }

    /// @inheritdoc IOracleCoordinator
    function pullObservationDigest(PullReport calldata report, int256 value) external view returns (bytes32) {
        return _hashTypedDataV4(ObservationHashing.pullObservationHash(report, value));
    }

    // ================================================================ internals

    /// @dev Checks the report (the cheap checks, sortedness included, before any signature is recovered),
    /// then pays each signer its share of the fee while recovering it, so a signer's slot is read and
    /// written once.
    function _fulfill(Report calldata report, bytes calldata signatures, bytes32 stored, uint256 threshold_)
        private
    {
        Request calldata request = report.request;
        int256[] calldata values = report.values;
        _checkCommitment(report.requestId, request, stored);
        _checkStatus(report.status);
        uint256 count = _checkQuorum(values.length, signatures.length, threshold_);
        int256 value = Median.lowerOfSorted(values);
        delete _commitments[report.requestId];

        uint96 feeWei = request.feeWei;
        uint96 share;
        uint96 remainder;
        unchecked {
            // count is 1..255 and share * count <= feeWei.
            share = feeWei / uint96(count);
            remainder = feeWei - share * uint96(count);
        }
        uint256 seen;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 digest = _hashTypedDataV4(ObservationHashing.observationHash(report, values[i]));
            SignerState storage state;
            (state, seen) = _recoverSigner(digest, signatures, i, seen);
            uint96 payment = i == 0 ? share + remainder : share;
            // Balances sum to at most the ether this contract holds, far below 2**96 wei.
            unchecked {
                if (payment != 0) state.balanceWei += payment;
            }
        }

        emit PredictionFulfilled(report.requestId, report.status, value);
        _callConsumer(report.requestId, request, report.status, value);
    }

    function _checkCommitment(bytes32 requestId, Request calldata request, bytes32 stored) private pure {
        if (stored == bytes32(0)) revert OracleCoordinatorUnknownRequest(requestId);
        if (stored != ObservationHashing.commitment(request)) revert OracleCoordinatorCommitmentMismatch(requestId);
    }

    function _checkStatus(Status status) private pure {
        if (status == Status.EXPIRED) revert OracleCoordinatorInvalidStatus(status);
    }

    /// @dev Reverts unless there is one 65-byte signature per value and at least `threshold` of them.
    function _checkQuorum(uint256 valueCount, uint256 signaturesLength, uint256 threshold_)
        private
        pure
        returns (uint256)
    {
        if (signaturesLength != valueCount * _SIGNATURE_LENGTH) {
            revert OracleCoordinatorSignatureCountMismatch(valueCount, signaturesLength / _SIGNATURE_LENGTH);
        }
        if (valueCount < threshold_) revert OracleCoordinatorQuorumNotMet(valueCount, threshold_);
        return valueCount;
    }

    function _thresholdWhenNotPaused() private view returns (uint256) {
        Config storage config = _config;
        if (config.paused) revert OracleCoordinatorPaused();
        return config.threshold;
    }

    /// @dev Recovers the signer of signatures[index] over `digest`: a registered, active signer not in `seen`
    /// (a bitmap of signer indexes), returned with `seen` updated.
    function _recoverSigner(bytes32 digest, bytes calldata signatures, uint256 index, uint256 seen)
        private
        view
        returns (SignerState storage state, uint256)
    {
        address signer;
        assembly ("memory-safe") {
            let at := add(signatures.offset, mul(index, 64))
            let vs := calldataload(add(at, 0x20))
            let sValue := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), add(shr(255, vs), 27))
            mstore(add(m, 0x40), calldataload(at))
            mstore(add(m, 0x60), sValue)
            // Precompile 1 returns nothing for an invalid signature; a high s is refused as malleable.
            if and(staticcall(gas(), 1, m, 0x80, 0x00, 0x20), iszero(gt(sValue, _MAX_S))) {
                signer := mul(mload(0x00), eq(returndatasize(), 0x20))
            }
        }
        if (signer == address(0)) revert OracleCoordinatorInvalidSignature(index);
        state = _signerStates[signer];
        if (!state.active) revert OracleCoordinatorUnknownSigner(signer);
        uint256 bit = 1 << state.index;
        if (seen & bit != 0) revert OracleCoordinatorDuplicateSigner(signer);
        return (state, seen | bit);
    }

    /// @dev Calls the consumer with exactly `callbackGasLimit` gas: reverts if the relayer sent too little
    /// for that (so a relayer cannot starve a callback on purpose), ignores what the consumer returns, and
    /// records a failed callback with `CallbackFailed`.
    function _callConsumer(bytes32 requestId, Request calldata request, Status status, int256 value) private {
        bytes4 selector = IOracleConsumer.onPrediction.selector;
        uint256 gasLimit = request.callbackGasLimit;
        address consumer = request.consumer;
        bool enoughGas;
        bool success;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), requestId)
            mstore(add(m, 0x24), status)
            mstore(add(m, 0x44), value)
            let available := sub(gas(), _GAS_FOR_CALL_EXACT_CHECK)
            enoughGas := gt(sub(available, div(available, 64)), gasLimit)
            if enoughGas { success := call(gasLimit, consumer, 0, m, 0x64, 0, 0) }
        }
        if (!enoughGas) revert OracleCoordinatorInsufficientGasForCallback(requestId, request.callbackGasLimit);
        if (!success) emit CallbackFailed(requestId, consumer);
    }

    function _newRequest(bytes32 modelId, bytes32 inputHash, uint64 deadline, uint32 callbackGasLimit)
        private
        view
        returns (Request memory)
    {
        Model storage model = _models[modelId];
        bytes32 artifactHash = model.artifactHash;
        if (artifactHash == bytes32(0)) revert OracleCoordinatorUnknownModel(modelId);
        if (!model.active) revert OracleCoordinatorModelInactive(modelId);
        uint96 feeWei = model.feeWei;
        if (msg.value != feeWei) revert OracleCoordinatorWrongFee(feeWei, msg.value);
        uint256 latestDeadline = block.timestamp + _MAX_REQUEST_TTL_SECONDS;
        if (deadline <= block.timestamp || deadline > latestDeadline) {
            revert OracleCoordinatorInvalidDeadline(deadline, latestDeadline);
        }
        if (callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert OracleCoordinatorCallbackGasTooHigh(callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        return Request(modelId, artifactHash, inputHash, msg.sender, feeWei, deadline, callbackGasLimit);
    }

    /// @dev Gives `request` the next id and stores its commitment; `requestNonce` is the last id's nonce.
    function _storeRequest(uint64 requestNonce, Request memory request) private returns (bytes32 requestId) {
        uint64 nonce = requestNonce + 1;
        _config.requestNonce = nonce;
        requestId = keccak256(abi.encode(block.chainid, address(this), nonce));
        _commitments[requestId] = ObservationHashing.commitmentInMemory(request);
    }

    function _existingModel(bytes32 modelId) private view returns (Model storage model) {
        model = _models[modelId];
        if (model.artifactHash == bytes32(0)) revert OracleCoordinatorUnknownModel(modelId);
    }

    function _addSigner(address signer) private {
        if (signer == address(0)) revert OracleCoordinatorZeroAddress();
        SignerState storage state = _signerStates[signer];
        if (state.active) revert OracleCoordinatorSignerExists(signer);
        if (_signerList.length == _MAX_SIGNERS) revert OracleCoordinatorTooManySigners(_MAX_SIGNERS);
        state.active = true;
        state.index = uint8(_signerList.length);
        _signerList.push(signer);
        emit SignerAdded(signer);
    }

    function _setThreshold(uint8 newThreshold) private {
        if (newThreshold == 0 || newThreshold > _signerList.length) {
            revert OracleCoordinatorInvalidThreshold(newThreshold, _signerList.length);
        }
        _config.threshold = newThreshold;
        emit ThresholdChanged(newThreshold);
    }
}
