// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Where a shipment is in its life. Custody: supplier while Created, carrier while InTransit,
/// buyer from delivery on.
enum ShipmentState {
    None,
    Created,
    InTransit,
    AwaitingCondition,
    Proposed,
    Disputed,
    Settled
}

/// @notice How a shipment's escrow is divided, proposed after delivery or final once Settled.
/// Released: price to the supplier. LatePenalty: `latePenaltyBps` of the price to the buyer, the rest to the
/// supplier. Spoiled: condition score above the maximum, price back to the buyer. OracleFailed: no usable
/// condition answer (INVALID_INPUT, MODEL_ERROR, EXPIRED, out-of-range value), price back to the buyer.
/// Cancelled: cancelled before dispatch, price back to the buyer. Arbitrated: split set by the arbiter.
enum Outcome {
    None,
    Released,
    LatePenalty,
    Spoiled,
    OracleFailed,
    Cancelled,
    Arbitrated
}

/// @notice What the buyer sets when creating a shipment.
/// @param price token amount escrowed from the buyer
/// @param slaDeadline unix time by which delivery is on time
/// @param maxConditionBps highest condition score (0..10000, higher is worse) the goods may arrive with
/// @param latePenaltyBps share of the price returned to the buyer when delivered late in good condition
struct ShipmentTerms {
    address supplier;
    address carrier;
    IERC20 token;
    uint96 price;
    uint64 slaDeadline;
    uint16 maxConditionBps;
    uint16 latePenaltyBps;
}

/// @notice A shipment as stored: four packed slots, then the two feature commitments. `slaDeadline` and
/// `deliveredAt` are on the escrow's clock (SupplyChainEscrow.escrowTime: unix time minus the seconds the escrow
/// has spent paused), so that a pause never makes a delivery late; both are unix times if it was never paused.
/// @param delayFeaturesHash keccak256(abi.encode(int256[])) of the delay-model features set at creation
/// @param conditionFeaturesHash the same hash of the latest checkpoint's summary features
struct Shipment {
    address buyer;
    uint64 slaDeadline;
    uint16 maxConditionBps;
    uint16 latePenaltyBps;
    address supplier;
    uint64 deliveredAt;
    ShipmentState state;
    Outcome outcome;
    uint16 conditionBps;
    address carrier;
    uint64 disputeEndsAt;
    uint32 checkpointCount;
    IERC20 token;
    uint96 price;
    bytes32 delayFeaturesHash;
    bytes32 conditionFeaturesHash;
}

/// @notice Admin settings: the two models' ids on the coordinator, the delay-risk alert threshold, how
/// long parties may dispute an outcome, and how long the oracle has to answer a request.
struct EscrowSettings {
    bytes32 conditionModelId;
    bytes32 delayModelId;
    uint16 delayAlertBps;
    uint32 disputeWindowSeconds;
    uint32 oracleTtlSeconds;
}

/// @notice Which prediction a pending request is for.
enum PredictionKind {
    DelayRisk,
    Condition
}

/// @notice A request the escrow is waiting on, in one slot. The fee is kept to refund its payer (the
/// supplier for delay risk, the carrier for condition) if the request expires.
struct PendingPrediction {
    uint64 shipmentId;
    PredictionKind kind;
    uint96 feeWei;
}
