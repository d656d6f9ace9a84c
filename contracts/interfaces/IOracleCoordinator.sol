// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttestationProof, Model, ModelPricing, Request, Report, PullReport, Status} from "../libraries/OracleTypes.sol";

/// @title AI oracle coordinator
/// @notice Consumers pay a model's fee to request a prediction; registered signers answer with
/// EIP-712 observations; anyone relays a report of at least `threshold` of them and the consumer
/// is called back with the lower median of the report's values, which the relayer sends sorted: with at
/// most f faulty signers and `threshold` >= 2f + 1, that median lies between two honest signers' values.
interface IOracleCoordinator {
    // ---------------------------------------------------------------- errors
    error OracleCoordinatorZeroHash();
    error OracleCoordinatorZeroAddress();
    error OracleCoordinatorModelExists(bytes32 modelId);
    error OracleCoordinatorUnknownModel(bytes32 modelId);
    error OracleCoordinatorModelInactive(bytes32 modelId);
    /// @notice A request must pay at least `requestFee(modelId, callbackGasLimit)`.
    error OracleCoordinatorFeeTooLow(uint256 requiredWei, uint256 paidWei);
    /// @notice A request's fee is kept as a uint96.
    error OracleCoordinatorFeeTooHigh(uint256 paidWei, uint256 maxWei);
    error OracleCoordinatorInvalidDeadline(uint64 deadline, uint256 latestAllowed);
    /// @notice A request asked for more callback gas than its model allows (or a model's cap is above the
    /// coordinator's MAX_CALLBACK_GAS_LIMIT).
    error OracleCoordinatorCallbackGasTooHigh(uint32 callbackGasLimit, uint32 maxCallbackGasLimit);
    error OracleCoordinatorEmptyFeatures();
    error OracleCoordinatorSignerExists(address signer);
    error OracleCoordinatorUnknownSigner(address signer);
    error OracleCoordinatorTooManySigners(uint256 maxSigners);
    error OracleCoordinatorInvalidThreshold(uint256 threshold, uint256 signerCount);
    error OracleCoordinatorDuplicateSigner(address signer);
    error OracleCoordinatorInvalidSignature(uint256 index);
    error OracleCoordinatorSignatureCountMismatch(uint256 values, uint256 signatures);
    error OracleCoordinatorQuorumNotMet(uint256 signatures, uint256 threshold);
    /// @notice A report's values must be sorted ascending (ties allowed), each signature in its value's place.
    /// @param index the first position whose value is smaller than the one before it
    error OracleCoordinatorValuesNotSorted(uint256 index);
    error OracleCoordinatorInvalidStatus(Status status);
    error OracleCoordinatorUnknownRequest(bytes32 requestId);
    error OracleCoordinatorCommitmentMismatch(bytes32 requestId);
    error OracleCoordinatorRequestExpired(bytes32 requestId, uint64 deadline);
    error OracleCoordinatorRequestNotExpired(bytes32 requestId, uint64 deadline);
    error OracleCoordinatorInsufficientGasForCallback(bytes32 requestId, uint32 callbackGasLimit);
    error OracleCoordinatorArtifactMismatch(bytes32 modelId, bytes32 registered, bytes32 reported);
    error OracleCoordinatorReportExpired(uint64 validUntil);
    error OracleCoordinatorBatchLengthMismatch(uint256 reports, uint256 signatures);
    error OracleCoordinatorNothingToWithdraw(address account);
    error OracleCoordinatorTransferFailed(address to, uint256 amountWei);
    error OracleCoordinatorPaused();
    error OracleCoordinatorNotPaused();
    /// @notice A private request's encrypted input must be 1 to `maxLength` bytes.
    error OracleCoordinatorInvalidEncryptedInput(uint256 length, uint256 maxLength);
    /// @notice An encryption key must be a 33-byte compressed secp256k1 public key (0x02 or 0x03, then x).
    error OracleCoordinatorInvalidEncryptionKey(bytes publicKey);

    // ---------------------------------------------------------------- events
    event ModelRegistered(bytes32 indexed modelId, bytes32 artifactHash, bytes32 schemaHash, ModelPricing pricing);
    event ModelVersioned(bytes32 indexed modelId, uint64 version, bytes32 artifactHash, bytes32 schemaHash);
    event ModelPricingChanged(bytes32 indexed modelId, ModelPricing pricing);
    event ModelActivationChanged(bytes32 indexed modelId, bool active);
    event SignerAdded(address indexed signer);
    event SignerRemoved(address indexed signer);
    event ThresholdChanged(uint8 threshold);
    event Paused(address account);
    event Unpaused(address account);
    event AttestationRegistrySet(address registry);

    /// @notice `signer` published the public key that private requests' inputs are encrypted to; empty when
    /// its key was deleted because the signer left the set.
    event EncryptionKeySet(address indexed signer, bytes publicKey);

    /// @notice Everything a node needs to answer: decode `features` with the schema of
    /// (`request.modelId`, `request.artifactHash`); keccak256(abi.encode(features)) is `request.inputHash`.
    /// A report repeats `request` exactly, since only its hash is stored.
    event PredictionRequested(
        bytes32 indexed requestId,
        bytes32 indexed modelId,
        address indexed consumer,
        Request request,
        int256[] features
    );

    /// @notice A private request: the features stay off chain. `request.inputHash` is their commitment,
    /// keccak256(abi.encode(bytes32 salt, int256[] features)); `encryptedInput` carries salt and features
    /// encrypted to the signers' `encryptionKeys`; `subject`, `attestationExpiresAt` and
    /// `attestationSignature` are the data provider's attestation of that commitment for `subject` (an empty
    /// signature when there is none), which the nodes check. Answered by `fulfill` as any request.
    event PrivatePredictionRequested(
        bytes32 indexed requestId,
        bytes32 indexed modelId,
        address indexed consumer,
        Request request,
        address subject,
        uint64 attestationExpiresAt,
        bytes attestationSignature,
        bytes encryptedInput
    );

    /// @notice A request was answered with the lower median `value` of its signers' sorted values.
    event PredictionFulfilled(bytes32 indexed requestId, Status status, int256 value);

    /// @notice A request passed its deadline unanswered; its fee was credited back to the consumer.
    event PredictionCancelled(bytes32 indexed requestId, address indexed consumer);

    /// @notice The consumer's callback for `requestId` reverted or ran out of its gas limit. The
    /// fulfilment or cancellation it belonged to stands.
    event CallbackFailed(bytes32 indexed requestId, address indexed consumer);

    /// @notice `fulfillBatch` passed over a report whose request was already answered, cancelled or expired.
    event ReportSkipped(bytes32 indexed requestId, bytes4 reason);

    event Withdrawn(address indexed account, address indexed to, uint256 amountWei);

    // ---------------------------------------------------------------- consumers

    /// @notice Requests a prediction of `modelId` on `features` (fixed-point integers in the model's schema).
    /// `msg.value` is the request's fee: at least `requestFee(modelId, callbackGasLimit)`, all of it paid to the
    /// signers (or refunded if the request expires).
    /// @param deadline unix time after which the request can no longer be fulfilled, only cancelled
    /// @param callbackGasLimit gas forwarded to the consumer's `onPrediction`, at most the model's cap
    /// @return requestId unique across chains and coordinators
    function requestPrediction(bytes32 modelId, int256[] calldata features, uint64 deadline, uint32 callbackGasLimit)
        external
        payable
        returns (bytes32 requestId);

    /// @notice Requests a prediction of `modelId` on features that stay off chain: same fee, deadline and
    /// callback rules, id and life cycle as `requestPrediction`, but emits `PrivatePredictionRequested`.
    /// The attestation is not checked here: the consumer checks it on chain if it needs to
    /// (IAttestationRegistry.verify), the nodes check it off chain before they predict.
    /// @param inputCommitment keccak256(abi.encode(bytes32 salt, int256[] features)), what the signers sign over
    /// @param encryptedInput salt and features encrypted to the signers' encryption keys, at most
    /// 16 KiB (one wrapped key of about 117 bytes per signer, then the ciphertext)
    /// @param attestation the data provider's attestation of `inputCommitment` for `modelId`
    function requestPrivatePrediction(
        bytes32 modelId,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        AttestationProof calldata attestation,
        uint64 deadline,
        uint32 callbackGasLimit
    ) external payable returns (bytes32 requestId);

    /// @notice Delivers one report. Anyone may relay it; the signatures are what is trusted.
    /// @param report its values sorted ascending; the consumer hears values[(n - 1) / 2]
    /// @param signatures 64-byte EIP-2098 compact signatures (r, yParity << 255 | s) concatenated,
    /// the i-th over values[i]
    function fulfill(Report calldata report, bytes calldata signatures) external;

    /// @notice Delivers many reports in one transaction. A report whose request is no longer pending
    /// (answered, cancelled) or is past its deadline is skipped with `ReportSkipped`, since transmitters
    /// racing each other produce those honestly; any other fault (bad signature, wrong commitment,
    /// quorum not met) reverts the whole batch, since it means a faulty or malicious report.
    function fulfillBatch(Report[] calldata reports, bytes[] calldata signatures) external;

    /// @notice After the deadline, anyone may cancel a pending request: the fee is credited back to
    /// the consumer (see `withdraw`) and the consumer hears status EXPIRED.
    function cancel(bytes32 requestId, Request calldata request) external;

    /// @notice Checks a pull-mode report for the current version of an active model and returns
    /// its status and lower median value (its values sorted ascending, as in `fulfill`). Reverts with the
    /// reason when it is not valid. Replay protection is the caller's: a pull report stays valid until
    /// `validUntil`.
    function verifyReport(PullReport calldata report, bytes calldata signatures)
        external
        view
        returns (Status status, int256 value);

    /// @notice Publishes the caller's encryption key (33-byte compressed secp256k1): private requests'
    /// inputs are encrypted to the active signers' keys. Only an active signer may call it, for itself;
    /// the key is deleted when the signer is removed.
    function setEncryptionKey(bytes calldata publicKey) external;

    /// @notice Pays out the caller's earned fees (signers) and refunds (consumers) to `to`.
    function withdraw(address payable to) external;

    // ---------------------------------------------------------------- views

    function getModel(bytes32 modelId) external view returns (Model memory);

    /// @notice The least a request for `modelId` with `callbackGasLimit` must pay: the model's base fee plus
    /// (callbackGasLimit + FULFILMENT_BASE_GAS + FULFILMENT_GAS_PER_SIGNER x threshold) x the model's gas price.
    function requestFee(bytes32 modelId, uint32 callbackGasLimit) external view returns (uint256);
    function isSigner(address account) external view returns (bool);
    function signers() external view returns (address[] memory);
    function threshold() external view returns (uint8);
    function paused() external view returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function commitmentOf(bytes32 requestId) external view returns (bytes32);
    function requestCount() external view returns (uint256);

    /// @notice The AttestationRegistry that consumers and nodes check attestations with (zero if none).
    function attestationRegistry() external view returns (address);

    /// @notice `signer`'s encryption key, empty if it has none.
    function encryptionKeyOf(address signer) external view returns (bytes memory);

    /// @notice The active signers and their encryption keys (empty bytes where a signer has set none):
    /// what a frontend encrypts a private request's input to.
    function encryptionKeys() external view returns (address[] memory signers, bytes[] memory publicKeys);

    /// @notice The EIP-712 digest a signer signs for `value` in `report`.
    function observationDigest(Report calldata report, int256 value) external view returns (bytes32);

    /// @notice The EIP-712 digest a signer signs for `value` in a pull report.
    function pullObservationDigest(PullReport calldata report, int256 value) external view returns (bytes32);
}
