// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Request, Report, PullReport} from "./OracleTypes.sol";

/// @notice EIP-712 struct hashes of what one signer signs. The Python twin is `oracle/chain/eip712.py`;
/// `tests/contracts/test_eip712.py` proves both give the same digest.
library ObservationHashing {
    bytes32 internal constant OBSERVATION_TYPEHASH = keccak256(
        "Observation(bytes32 requestId,bytes32 modelId,bytes32 artifactHash,bytes32 inputHash,uint8 status,int256 value)"
    );

    bytes32 internal constant PULL_OBSERVATION_TYPEHASH = keccak256(
        "PullObservation(address subject,address consumer,uint64 validUntil,bytes32 modelId,bytes32 artifactHash,bytes32 inputHash,uint8 status,int256 value)"
    );

    /// @notice The struct hash of one signer's observation of `value` for a push-mode report.
    /// @dev Equal to keccak256(abi.encode(OBSERVATION_TYPEHASH, report.requestId, request.modelId,
    /// request.artifactHash, request.inputHash, uint8(report.status), value)), built straight from calldata:
    /// the report's head is requestId, the 7 words of Request, then status. Callers must have read
    /// `report.status` through Solidity first, so that the ABI decoder has checked it.
    function observationHash(Report calldata report, int256 value) internal pure returns (bytes32 result) {
        bytes32 typehash = OBSERVATION_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), calldataload(report))
            calldatacopy(add(m, 0x40), add(report, 0x20), 0x60)
            mstore(add(m, 0xa0), calldataload(add(report, 0x100)))
            mstore(add(m, 0xc0), value)
            result := keccak256(m, 0xe0)
        }
    }

    /// @notice The struct hash of one signer's pull-mode observation of `value`.
    /// @dev Equal to keccak256(abi.encode(PULL_OBSERVATION_TYPEHASH, report.subject, report.consumer,
    /// report.validUntil, report.modelId, report.artifactHash, report.inputHash, uint8(report.status), value)),
    /// built straight from calldata: the report's head starts with those 7 words. Callers must have read
    /// `report.status` through Solidity first, as for `observationHash`; a head word with bits the ABI decoder
    /// would refuse hashes to a digest that no signer signed, so its report is refused as badly signed.
    function pullObservationHash(PullReport calldata report, int256 value) internal pure returns (bytes32 result) {
        bytes32 typehash = PULL_OBSERVATION_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            calldatacopy(add(m, 0x20), report, 0xe0)
            mstore(add(m, 0x100), value)
            result := keccak256(m, 0x120)
        }
    }

    /// @notice What a consumer marks used for a pull report: every field but the values, so that the same
    /// answer cannot be used twice with another subset of its signatures and values.
    function pullReportKey(PullReport calldata report) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                report.subject,
                report.consumer,
                report.validUntil,
                report.modelId,
                report.artifactHash,
                report.inputHash,
                report.status
            )
        );
    }

    /// @notice What a pending request stores on chain.
    /// @dev Equal to keccak256(abi.encode(request)): a Request is 7 static words, hashed straight from calldata.
    function commitment(Request calldata request) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, request, 0xe0)
            result := keccak256(m, 0xe0)
        }
    }

    /// @notice `commitment` of a Request in memory, whose 7 static fields are 7 words at its address.
    function commitmentInMemory(Request memory request) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            result := keccak256(request, 0xe0)
        }
    }

    /// @notice The hash of a request's features that every observation repeats.
    /// @dev Equal to keccak256(abi.encode(features)): the offset word 0x20, the length, then the words, copied
    /// from calldata in one go (the ABI encoder copies them one at a time).
    function inputHash(int256[] calldata features) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            let size := shl(5, features.length)
            mstore(m, 0x20)
            mstore(add(m, 0x20), features.length)
            calldatacopy(add(m, 0x40), features.offset, size)
            result := keccak256(m, add(size, 0x40))
        }
    }
}
