// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IOracleCoordinator} from "../interfaces/IOracleCoordinator.sol";
import {IOracleConsumer} from "../interfaces/IOracleConsumer.sol";
import {AttestationProof, Model, ModelPricing, Request, Report, PullReport, Status} from "../libraries/OracleTypes.sol";
import {ObservationHashing} from "../libraries/ObservationHashing.sol";
import {CallWithExactGas} from "../libraries/CallWithExactGas.sol";
import {CompactSignatures} from "../libraries/CompactSignatures.sol";
import {Median} from "../libraries/Median.sol";
import {SignerSet} from "../libraries/SignerSet.sol";

/// @title OracleCoordinator
/// @notice Model registry, k-of-n signer set, and request / fulfil / cancel life cycle of AI predictions.
contract OracleCoordinator is IOracleCoordinator, EIP712, Ownable2Step {
    using SignerSet for SignerSet.Set;

    /// @notice The largest callback gas limit any model may allow.
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 2_500_000;
    /// @notice Gas a fulfilment spends besides its callback, charged with every request at the model's gas price:
    /// the transaction, the report's checks and the callback's reserve, plus one signature's recovery and payment
    /// per signer of the threshold (measured: 49.3k for k = 1 and 70.2k for k = 3 with a 100k-gas callback that
    /// used about 5k, see benchmarks/results/gas.json).
    uint256 public constant FULFILMENT_BASE_GAS = 45_000;
    uint256 public constant FULFILMENT_GAS_PER_SIGNER = 12_000;
    uint64 private constant _MAX_REQUEST_TTL_SECONDS = 30 days;
    /// @notice Bounds a private request's encrypted input: one wrapped key per signer (about 117 bytes
    /// each) plus the ciphertext of salt and features.
    uint256 private constant _MAX_ENCRYPTED_INPUT_BYTES = 16 * 1024;
    /// @dev A compressed secp256k1 public key: 0x02 or 0x03 (the parity of y), then x.
    uint256 private constant _ENCRYPTION_KEY_LENGTH = 33;
    /// @dev Gas kept back to finish after the callback returns, and to pay for the exact-gas check itself.
    uint256 private constant _GAS_FOR_CALL_EXACT_CHECK = 5_000;

    /// @dev What every request and fulfilment reads, in one slot so that each reads it once. The pause
    /// flag lives here rather than in OpenZeppelin's Pausable, whose private flag would cost a second read.
    struct Config {
        uint8 threshold;
        bool paused;
        uint64 requestNonce;
    }

    Config private _config;

    mapping(bytes32 modelId => Model) private _models;
    SignerSet.Set private _signers;
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
        if (features.length == 0) revert OracleCoordinatorEmptyFeatures();
        (uint256 threshold_, uint64 nonce) = _takeRequestNonce();
        (bytes32 artifactHash, uint96 feeWei) = _checkRequest(modelId, deadline, callbackGasLimit, threshold_);
        requestId = _requestId(nonce);
        (uint256 data, uint256 size) =
            _encodeRequested(modelId, artifactHash, features, feeWei, deadline, callbackGasLimit);
        bytes32 commitment;
        assembly ("memory-safe") {
            commitment := keccak256(data, 0xe0) // = ObservationHashing.commitment of the request, its first 7 words
        }
        _commitments[requestId] = commitment;
        bytes32 topic = PredictionRequested.selector;
        assembly ("memory-safe") {
            log4(data, size, topic, requestId, modelId, caller())
        }
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
        if (inputCommitment == bytes32(0)) revert OracleCoordinatorZeroHash();
        if (encryptedInput.length == 0 || encryptedInput.length > _MAX_ENCRYPTED_INPUT_BYTES) {
            revert OracleCoordinatorInvalidEncryptedInput(encryptedInput.length, _MAX_ENCRYPTED_INPUT_BYTES);
        }
        (uint256 threshold_, uint64 nonce) = _takeRequestNonce();
        (bytes32 artifactHash, uint96 feeWei) = _checkRequest(modelId, deadline, callbackGasLimit, threshold_);
        Request memory request =
            Request(modelId, artifactHash, inputCommitment, msg.sender, feeWei, deadline, callbackGasLimit);
        requestId = _requestId(nonce);
        _commitments[requestId] = ObservationHashing.commitmentInMemory(request);
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
        uint64 deadline = request.deadline;
        if (block.timestamp <= deadline) revert OracleCoordinatorRequestNotExpired(requestId, deadline);
        address consumer = request.consumer;
        delete _commitments[requestId];
        // Refunds sum to at most the ether this contract holds.
        unchecked {
            _refunds[consumer] += request.feeWei;
        }
        emit PredictionCancelled(requestId, consumer);
        _callConsumer(requestId, consumer, request.callbackGasLimit, Status.EXPIRED, 0);
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
        uint256 seen = 0; // bitmap of the signer indexes recovered so far
        for (uint256 i = 0; i < count; ++i) {
            bytes32 digest = _hashTypedDataV4(ObservationHashing.pullObservationHash(report, values[i]));
            (,, seen) = _recoverSigner(digest, signatures, i, seen);
        }
        return (report.status, value);
    }

    /// @inheritdoc IOracleCoordinator
    function setEncryptionKey(bytes calldata publicKey) external {
        if (!_signers.isActive(msg.sender)) revert OracleCoordinatorUnknownSigner(msg.sender);
        if (publicKey.length != _ENCRYPTION_KEY_LENGTH || (publicKey[0] != 0x02 && publicKey[0] != 0x03)) {
            revert OracleCoordinatorInvalidEncryptionKey(publicKey);
        }
        _encryptionKeys[msg.sender] = publicKey;
        emit EncryptionKeySet(msg.sender, publicKey);
    }

    /// @inheritdoc IOracleCoordinator
    function withdraw(address payable to) external {
        if (to == address(0)) revert OracleCoordinatorZeroAddress();
        SignerSet.Signer storage state = _signers.signers[msg.sender];
        uint256 amountWei = state.balanceWei + _refunds[msg.sender];
        if (amountWei == 0) revert OracleCoordinatorNothingToWithdraw(msg.sender);
        state.balanceWei = 0;
        _refunds[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amountWei);
        (bool sent,) = to.call{value: amountWei}("");
        if (!sent) revert OracleCoordinatorTransferFailed(to, amountWei);
    }

    // ================================================================ owner: models

    /// @notice Registers a model, active, at version 1, with the price of its requests.
    function registerModel(bytes32 modelId, bytes32 artifactHash, bytes32 schemaHash, ModelPricing calldata pricing)
        external
        onlyOwner
    {
        if (modelId == bytes32(0) || artifactHash == bytes32(0) || schemaHash == bytes32(0)) {
            revert OracleCoordinatorZeroHash();
        }
        if (_models[modelId].artifactHash != bytes32(0)) revert OracleCoordinatorModelExists(modelId);
        _checkPricing(pricing);
        _models[modelId] = Model(
            artifactHash, schemaHash, 1, pricing.feeWei, true, pricing.maxCallbackGasLimit, pricing.gasPriceWei
        );
        emit ModelRegistered(modelId, artifactHash, schemaHash, pricing);
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

    /// @notice Reprices a model's future requests; pending ones keep the fee they paid.
    function setModelPricing(bytes32 modelId, ModelPricing calldata pricing) external onlyOwner {
        _checkPricing(pricing);
        Model storage model = _existingModel(modelId);
        model.feeWei = pricing.feeWei;
        model.gasPriceWei = pricing.gasPriceWei;
        model.maxCallbackGasLimit = pricing.maxCallbackGasLimit;
        emit ModelPricingChanged(modelId, pricing);
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
        _signers.remove(signer, _config.threshold);
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
    function requestFee(bytes32 modelId, uint32 callbackGasLimit) external view returns (uint256) {
        Model storage model = _existingModel(modelId);
        return _requestFee(model.feeWei, model.gasPriceWei, callbackGasLimit, _config.threshold);
    }

    /// @inheritdoc IOracleCoordinator
    function isSigner(address account) external view returns (bool) {
        return _signers.isActive(account);
    }

    /// @inheritdoc IOracleCoordinator
    function signers() external view returns (address[] memory) {
        return _signers.list;
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
        return _signers.signers[account].balanceWei + _refunds[account];
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
        signers_ = _signers.list;
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
            // count is 1..255 and share * count <= feeWei. Dividing first is the point: the remainder is what the
            // even split leaves, paid to the first signer so that the whole fee is paid out.
            // slither-disable-next-line divide-before-multiply
            share = feeWei / uint96(count);
            remainder = feeWei - share * uint96(count);
        }
        uint256 seen = 0; // bitmap of the signer indexes recovered so far
        for (uint256 i = 0; i < count; ++i) {
            bytes32 digest = _hashTypedDataV4(ObservationHashing.observationHash(report, values[i]));
            SignerSet.Signer storage state;
            uint256 word;
            (state, word, seen) = _recoverSigner(digest, signatures, i, seen);
            uint96 payment;
            unchecked {
                payment = i == 0 ? share + remainder : share; // at most feeWei
            }
            // Balances sum to at most the ether this contract holds, far below 2**96 wei.
            if (payment != 0) SignerSet.credit(state, word, payment);
        }

        emit PredictionFulfilled(report.requestId, report.status, value);
        _callConsumer(report.requestId, request.consumer, request.callbackGasLimit, report.status, value);
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
        if (signaturesLength != valueCount * CompactSignatures.LENGTH) {
            revert OracleCoordinatorSignatureCountMismatch(valueCount, signaturesLength / CompactSignatures.LENGTH);
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
    /// (a bitmap of signer indexes), returned as its slot and the slot's value, with `seen` updated.
    function _recoverSigner(bytes32 digest, bytes calldata signatures, uint256 index, uint256 seen)
        private
        view
        returns (SignerSet.Signer storage, uint256, uint256)
    {
        uint256 at;
        assembly ("memory-safe") {
            at := add(signatures.offset, mul(index, 64))
        }
        address signer = CompactSignatures.recoverAt(digest, at);
        if (signer == address(0)) revert OracleCoordinatorInvalidSignature(index);
        (SignerSet.Signer storage state, uint256 word) = _signers.load(signer);
        if (!SignerSet.isActiveWord(word)) revert OracleCoordinatorUnknownSigner(signer);
        uint256 bit = 1 << SignerSet.indexOfWord(word);
        if (seen & bit != 0) revert OracleCoordinatorDuplicateSigner(signer);
        return (state, word, seen | bit);
    }

    /// @dev Calls the consumer with exactly `callbackGasLimit` gas: reverts if the relayer sent too little
    /// for that (so a relayer cannot starve a callback on purpose), ignores what the consumer returns, and
    /// records a failed callback with `CallbackFailed`.
    function _callConsumer(bytes32 requestId, address consumer, uint32 callbackGasLimit, Status status, int256 value)
        private
    {
        bytes4 selector = IOracleConsumer.onPrediction.selector;
        uint256 payload;
        assembly ("memory-safe") {
            payload := mload(0x40)
            mstore(payload, selector)
            mstore(add(payload, 0x04), requestId)
            mstore(add(payload, 0x24), status)
            mstore(add(payload, 0x44), value)
        }
        (bool enoughGas, bool success) =
            CallWithExactGas.tryCall(consumer, callbackGasLimit, _GAS_FOR_CALL_EXACT_CHECK, payload, 0x64);
        if (!enoughGas) revert OracleCoordinatorInsufficientGasForCallback(requestId, callbackGasLimit);
        if (!success) emit CallbackFailed(requestId, consumer);
    }

    /// @dev Checks a request for the caller's `msg.value`, which must pay the model's price for `callbackGasLimit`
    /// (at most the model's cap) with `threshold` signers; returns the model's artifact and the request's fee (all
    /// of `msg.value`).
    function _checkRequest(bytes32 modelId, uint64 deadline, uint32 callbackGasLimit, uint256 threshold_)
        private
        view
        returns (bytes32 artifactHash, uint96 feeWei)
    {
        Model storage model = _models[modelId];
        artifactHash = model.artifactHash;
        if (artifactHash == bytes32(0)) revert OracleCoordinatorUnknownModel(modelId);
        if (!model.active) revert OracleCoordinatorModelInactive(modelId);
        uint32 maxCallbackGasLimit = model.maxCallbackGasLimit;
        if (callbackGasLimit > maxCallbackGasLimit) {
            revert OracleCoordinatorCallbackGasTooHigh(callbackGasLimit, maxCallbackGasLimit);
        }
        uint256 requiredWei = _requestFee(model.feeWei, model.gasPriceWei, callbackGasLimit, threshold_);
        if (msg.value < requiredWei) revert OracleCoordinatorFeeTooLow(requiredWei, msg.value);
        if (msg.value > type(uint96).max) revert OracleCoordinatorFeeTooHigh(msg.value, type(uint96).max);
        uint256 latestDeadline;
        unchecked {
            latestDeadline = block.timestamp + _MAX_REQUEST_TTL_SECONDS; // a timestamp is far below 2**255
        }
        if (deadline <= block.timestamp || deadline > latestDeadline) {
            revert OracleCoordinatorInvalidDeadline(deadline, latestDeadline);
        }
        feeWei = uint96(msg.value);
    }

    /// @dev The base fee plus the callback's limit and the fulfilment's own gas at the model's gas price.
    function _requestFee(uint256 feeWei, uint256 gasPriceWei, uint256 callbackGasLimit, uint256 threshold_)
        private
        pure
        returns (uint256)
    {
        // Callers pass a uint96 fee, a uint48 gas price, a uint32 gas limit and a threshold of at most 255: the
        // result is below 2**97.
        unchecked {
            uint256 fulfilmentGas = FULFILMENT_BASE_GAS + FULFILMENT_GAS_PER_SIGNER * threshold_;
            return feeWei + (callbackGasLimit + fulfilmentGas) * gasPriceWei;
        }
    }

    function _checkPricing(ModelPricing calldata pricing) private pure {
        if (pricing.maxCallbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert OracleCoordinatorCallbackGasTooHigh(pricing.maxCallbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
    }

    /// @dev Reverts when paused; otherwise counts a new request and returns the threshold and the request's nonce,
    /// reading and writing the config slot once each. Config packs threshold into the slot's lowest byte, paused
    /// into the next and requestNonce into the 8 bytes above them (Solidity's packing, in member order).
    function _takeRequestNonce() private returns (uint256 threshold_, uint64 nonce) {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(_config.slot)
        }
        if (word & 0xff00 != 0) revert OracleCoordinatorPaused();
        nonce = uint64(word >> 16) + 1; // checked: reverts rather than wrap after 2**64 - 1 requests
        threshold_ = word & 0xff;
        assembly ("memory-safe") {
            sstore(_config.slot, or(threshold_, shl(16, nonce)))
        }
    }

    /// @dev The id of the request with `nonce`: keccak256(abi.encode(block.chainid, address(this), nonce)).
    function _requestId(uint64 nonce) private view returns (bytes32 requestId) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, chainid())
            mstore(add(m, 0x20), address())
            mstore(add(m, 0x40), and(nonce, 0xffffffffffffffff))
            requestId := keccak256(m, 0x60)
        }
    }

    /// @dev PredictionRequested's data, ABI-encoded by hand into newly allocated memory at `data` (`size` bytes):
    /// the 7 words of the Request (consumer: the caller; inputHash: keccak256(abi.encode(features)), hashed in
    /// place), then the features' offset (0x100), their length and the features, copied from calldata in one go.
    function _encodeRequested(
        bytes32 modelId,
        bytes32 artifactHash,
        int256[] calldata features,
        uint96 feeWei,
        uint64 deadline,
        uint32 callbackGasLimit
    ) private view returns (uint256 data, uint256 size) {
        assembly ("memory-safe") {
            data := mload(0x40)
            let featuresSize := shl(5, features.length)
            size := add(0x120, featuresSize)
            mstore(0x40, add(data, size))
            // abi.encode(features) is the offset 0x20, the length, then the words: hashed where the event has them.
            mstore(add(data, 0xe0), 0x20)
            mstore(add(data, 0x100), features.length)
            calldatacopy(add(data, 0x120), features.offset, featuresSize)
            mstore(add(data, 0x40), keccak256(add(data, 0xe0), add(0x40, featuresSize)))
            mstore(add(data, 0xe0), 0x100)
            mstore(data, modelId)
            mstore(add(data, 0x20), artifactHash)
            mstore(add(data, 0x60), caller())
            mstore(add(data, 0x80), and(feeWei, 0xffffffffffffffffffffffff))
            mstore(add(data, 0xa0), and(deadline, 0xffffffffffffffff))
            mstore(add(data, 0xc0), and(callbackGasLimit, 0xffffffff))
        }
    }

    function _existingModel(bytes32 modelId) private view returns (Model storage model) {
        model = _models[modelId];
        if (model.artifactHash == bytes32(0)) revert OracleCoordinatorUnknownModel(modelId);
    }

    function _addSigner(address signer) private {
        _signers.add(signer);
        emit SignerAdded(signer);
    }

    function _setThreshold(uint8 newThreshold) private {
        uint256 signerCount = _signers.list.length;
        if (newThreshold == 0 || newThreshold > signerCount) {
            revert OracleCoordinatorInvalidThreshold(newThreshold, signerCount);
        }
        _config.threshold = newThreshold;
        emit ThresholdChanged(newThreshold);
    }
}
