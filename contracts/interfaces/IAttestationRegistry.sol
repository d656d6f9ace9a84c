// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Attestation} from "../libraries/OracleTypes.sol";

/// @title Attestation registry
/// @notice Per model, the data providers (credit bureaus, KYC services, sensor gateways) whose EIP-712
/// attestations the model's owner trusts, and whether the model requires its inputs to be attested.
/// An attestation binds a subject, a model, an input commitment and an expiry; consumers check it here
/// with `verify`, nodes off chain with the same digest (`oracle/privacy/attestation.py`).
interface IAttestationRegistry {
    // ---------------------------------------------------------------- errors
    error AttestationRegistryZeroAddress();
    /// @notice The attestation is past its expiry (block.timestamp > expiresAt).
    error AttestationRegistryExpired(uint64 expiresAt);
    /// @notice The signature is not a valid 65-byte ECDSA signature (r, s, v) of the attestation's digest.
    error AttestationRegistryInvalidSignature();
    /// @notice The attestation was signed by `attester`, which the model does not trust.
    error AttestationRegistryUntrustedAttester(bytes32 modelId, address attester);

    // ---------------------------------------------------------------- events
    event AttesterSet(bytes32 indexed modelId, address indexed attester, bool trusted);
    event AttestationRequirementSet(bytes32 indexed modelId, bool required);

    // ---------------------------------------------------------------- owner

    /// @notice Trusts (or stops trusting) `attester`'s attestations for `modelId`.
    function setAttester(bytes32 modelId, address attester, bool trusted) external;

    /// @notice Whether requests and pull reports of `modelId` need a valid attestation: nodes answer
    /// INVALID_INPUT without one, and consumers may refuse them on chain.
    function setAttestationRequired(bytes32 modelId, bool required) external;

    // ---------------------------------------------------------------- views

    function isTrustedAttester(bytes32 modelId, address attester) external view returns (bool);

    function isAttestationRequired(bytes32 modelId) external view returns (bool);

    /// @notice The EIP-712 digest an attester signs for `attestation`.
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32);

    /// @notice Checks that `signature` (65 bytes: r, s, v) over `attestation` is unexpired and from an
    /// attester trusted for `attestation.modelId`, and returns that attester. Reverts with the reason otherwise.
    function verify(Attestation calldata attestation, bytes calldata signature)
        external
        view
        returns (address attester);
}
