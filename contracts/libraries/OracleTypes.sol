// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice How a node answered a request. EXPIRED is never signed: only `cancel` produces it.
enum Status {
    OK,
    INVALID_INPUT,
    MODEL_ERROR,
    EXPIRED
}

/// @notice A registered model. `artifactHash` is the sha256 of the exact file the nodes serve,
/// `schemaHash` the sha256 of its feature schema (names, fixed-point scales, ranges). A request pays at
/// least `feeWei` + (its callback gas limit + the fulfilment's own gas) x `gasPriceWei`, and asks for at
/// most `maxCallbackGasLimit` callback gas (see IOracleCoordinator.requestFee).
struct Model {
    bytes32 artifactHash;
    bytes32 schemaHash;
    uint64 version;
    uint96 feeWei;
    bool active;
    uint32 maxCallbackGasLimit;
    uint48 gasPriceWei;
}

/// @notice The owner's price of a model's requests: a base fee, the gas price the callback and the
/// fulfilment are charged at, and the largest callback gas limit a request may ask for.
struct ModelPricing {
    uint96 feeWei;
    uint48 gasPriceWei;
    uint32 maxCallbackGasLimit;
}

/// @notice What a pending request commits to: its hash is all the coordinator stores, and a
/// fulfilment or cancellation must repeat these fields exactly.
struct Request {
    bytes32 modelId;
    bytes32 artifactHash;
    bytes32 inputHash;
    address consumer;
    uint96 feeWei;
    uint64 deadline;
    uint32 callbackGasLimit;
}

/// @notice One push-mode answer: the status the signers agree on and one value per signature
/// (values[i] is signed by signatures[i]); the result is their median.
struct Report {
    bytes32 requestId;
    Request request;
    Status status;
    int256[] values;
}

/// @notice A pull-mode answer made for `subject`, to be used by the contract `consumer` only, until
/// `validUntil`, with no request on chain.
struct PullReport {
    address subject;
    address consumer;
    uint64 validUntil;
    bytes32 modelId;
    bytes32 artifactHash;
    bytes32 inputHash;
    Status status;
    int256[] values;
}

/// @notice A data provider's word (a credit bureau, a KYC service, a sensor gateway) that the features
/// committed to by `inputHash` describe `subject`, for `modelId`, until `expiresAt` (unix seconds).
struct Attestation {
    address subject;
    bytes32 modelId;
    bytes32 inputHash;
    uint64 expiresAt;
}

/// @notice An attestation as a request carries it: the model and the input commitment are the request's
/// own. `signature` is the attester's 65-byte EIP-712 signature (r, s, v); empty when there is none.
struct AttestationProof {
    address subject;
    uint64 expiresAt;
    bytes signature;
}
