// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Status} from "../libraries/OracleTypes.sol";

/// @notice What the coordinator calls back when a request is answered or cancelled.
interface IOracleConsumer {
    /// @notice Called by the coordinator only, with the gas limit the request asked for.
    /// @param status OK, INVALID_INPUT or MODEL_ERROR from the oracle, or EXPIRED after `cancel`
    /// @param value the median of the signers' values (fixed-point, scale in the model's schema)
    function onPrediction(bytes32 requestId, Status status, int256 value) external;
}
