// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {Attestation} from "../libraries/OracleTypes.sol";

/// @title AttestationRegistry
/// @notice The attesters each model trusts, and the check of their EIP-712 attestations. The Python twin
/// of the digest is `oracle/privacy/attestation.py`; `tests/contracts/test_attestation_registry.py` pins both.
contract AttestationRegistry is IAttestationRegistry, EIP712, Ownable2Step {
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(address subject,bytes32 modelId,bytes32 inputHash,uint64 expiresAt)");

    mapping(bytes32 modelId => mapping(address attester => bool)) private _trusted;
    mapping(bytes32 modelId => bool) private _required;

    constructor(address initialOwner) EIP712("OracleAttestations", "1") Ownable(initialOwner) {}

    // ================================================================ owner

    /// @inheritdoc IAttestationRegistry
    function setAttester(bytes32 modelId, address attester, bool trusted) external onlyOwner {
        if (attester == address(0)) revert AttestationRegistryZeroAddress();
        _trusted[modelId][attester] = trusted;
        emit AttesterSet(modelId, attester, trusted);
    }

    /// @inheritdoc IAttestationRegistry
    function setAttestationRequired(bytes32 modelId, bool required) external onlyOwner {
        _required[modelId] = required;
        emit AttestationRequirementSet(modelId, required);
    }

    // ================================================================ views

    /// @inheritdoc IAttestationRegistry
    function isTrustedAttester(bytes32 modelId, address attester) external view returns (bool) {
        return _trusted[modelId][attester];
    }

    /// @inheritdoc IAttestationRegistry
    function isAttestationRequired(bytes32 modelId) external view returns (bool) {
        return _required[modelId];
    }

    /// @inheritdoc IAttestationRegistry
    function attestationDigest(Attestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ATTESTATION_TYPEHASH,
                    attestation.subject,
                    attestation.modelId,
                    attestation.inputHash,
                    attestation.expiresAt
                )
            )
        );
    }

    /// @inheritdoc IAttestationRegistry
    function verify(Attestation calldata attestation, bytes calldata signature)
        external
        view
        returns (address attester)
    {
        if (block.timestamp > attestation.expiresAt) revert AttestationRegistryExpired(attestation.expiresAt);
        ECDSA.RecoverError error_;
        // The third value only details a malformed signature, already refused through `error_`.
        // slither-disable-next-line unused-return
        (attester, error_,) = ECDSA.tryRecover(attestationDigest(attestation), signature);
        if (error_ != ECDSA.RecoverError.NoError) revert AttestationRegistryInvalidSignature();
        if (!_trusted[attestation.modelId][attester]) {
            revert AttestationRegistryUntrustedAttester(attestation.modelId, attester);
        }
    }
}
