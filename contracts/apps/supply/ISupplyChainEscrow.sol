// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Status} from "../../libraries/OracleTypes.sol";
import {EscrowSettings, Outcome, Shipment, ShipmentState, ShipmentTerms} from "./ShipmentTypes.sol";

/// @title Supply-chain escrow
/// @notice A buyer escrows an ERC-20 price for goods a supplier ships through a carrier. Authorised sensor
/// gateways post checkpoints (raw-data hash plus summary features); at dispatch an AI model rates the risk
/// of a late delivery (advisory), at delivery another rates the goods' condition, and the escrow proposes
/// a payout: release, late-penalty split, or refund when spoiled or when the oracle gives no usable answer.
/// Buyer or supplier may dispute a proposal within the dispute window; an arbiter then sets the split.
/// Payouts are credits withdrawn by their owners. The events form the shipment's provenance trail.
interface ISupplyChainEscrow {
    // ---------------------------------------------------------------- errors
    error SupplyChainEscrowZeroAddress();
    error SupplyChainEscrowZeroModelId();
    error SupplyChainEscrowZeroDuration();
    error SupplyChainEscrowZeroPrice();
    error SupplyChainEscrowZeroRawDataHash();
    error SupplyChainEscrowBuyerIsSupplier(address account);
    error SupplyChainEscrowInvalidBps(uint256 bps);
    error SupplyChainEscrowInvalidDeadline(uint64 slaDeadline, uint256 currentTime);
    error SupplyChainEscrowEmptyOrigin();
    error SupplyChainEscrowEmptyFeatures();
    error SupplyChainEscrowTransferShortfall(uint256 expected, uint256 received);
    error SupplyChainEscrowUnknownShipment(uint64 shipmentId);
    error SupplyChainEscrowWrongState(uint64 shipmentId, ShipmentState state);
    error SupplyChainEscrowNotSupplier(uint64 shipmentId, address caller);
    error SupplyChainEscrowNotCarrier(uint64 shipmentId, address caller);
    error SupplyChainEscrowNotParty(uint64 shipmentId, address caller);
    error SupplyChainEscrowArbiterIsParty(uint64 shipmentId, address arbiter);
    error SupplyChainEscrowFeaturesMismatch(uint64 shipmentId, bytes32 expected, bytes32 given);
    error SupplyChainEscrowNoCheckpoint(uint64 shipmentId);
    error SupplyChainEscrowDisputeWindowOpen(uint64 shipmentId, uint64 disputeEndsAt);
    error SupplyChainEscrowDisputeWindowClosed(uint64 shipmentId, uint64 disputeEndsAt);
    error SupplyChainEscrowNotOverdue(uint64 shipmentId, uint256 overdueAt);
    error SupplyChainEscrowNothingToWithdraw(address account);
    /// @notice The oracle's time to answer must be at most `maxSeconds` (the coordinator's longest deadline).
    error SupplyChainEscrowOracleTtlTooLong(uint256 oracleTtlSeconds, uint256 maxSeconds);

    // ---------------------------------------------------------------- events: provenance trail
    /// @notice Origin of the goods; custody starts with the supplier.
    event ShipmentCreated(
        uint64 indexed shipmentId,
        address indexed buyer,
        address indexed supplier,
        ShipmentTerms terms,
        string origin,
        int256[] delayFeatures
    );
    /// @notice A gateway's reading: `rawDataHash` commits to the full sensor log kept off chain,
    /// `features` are its summary in the condition model's schema.
    event CheckpointRecorded(
        uint64 indexed shipmentId,
        uint32 indexed index,
        address indexed gateway,
        string location,
        bytes32 rawDataHash,
        int256[] features
    );
    /// @notice Custody handed over: supplier to carrier at dispatch, carrier to buyer at delivery.
    event CustodyTransferred(uint64 indexed shipmentId, address indexed from, address indexed to);

    // ---------------------------------------------------------------- events: predictions
    event DelayRiskRequested(uint64 indexed shipmentId, bytes32 indexed requestId);
    event DelayRiskAssessed(uint64 indexed shipmentId, uint256 riskBps);
    /// @notice The delay risk is above the admin's threshold.
    event DelayRiskAlert(uint64 indexed shipmentId, uint256 riskBps, uint256 thresholdBps);
    /// @notice The delay-risk request ended without a usable answer (status not OK, or value out of 0..10000).
    event DelayRiskUnavailable(uint64 indexed shipmentId, Status status, int256 value);
    event ConditionRequested(uint64 indexed shipmentId, bytes32 indexed requestId, uint32 checkpointIndex);
    event ConditionAssessed(uint64 indexed shipmentId, uint256 conditionBps, uint256 maxConditionBps);
    /// @notice The condition request ended without a usable answer: the escrow proposes a refund.
    event ConditionUnavailable(uint64 indexed shipmentId, Status status, int256 value);
    /// @notice The coordinator refunded an expired request's fee; its payer may withdraw it here.
    event OracleFeeRefundCredited(bytes32 indexed requestId, address indexed payer, uint256 amountWei);

    // ---------------------------------------------------------------- events: settlement
    event OutcomeProposed(
        uint64 indexed shipmentId, Outcome outcome, uint256 supplierAmount, uint256 buyerAmount, uint64 disputeEndsAt
    );
    event ShipmentDisputed(uint64 indexed shipmentId, address indexed by, string reason);
    event DisputeResolved(uint64 indexed shipmentId, address indexed arbiter, uint16 supplierBps);
    event ShipmentCancelled(uint64 indexed shipmentId, address indexed by);
    /// @notice Final: the escrow is divided and credited; nothing more happens to this shipment.
    event ShipmentSettled(uint64 indexed shipmentId, Outcome outcome, uint256 supplierAmount, uint256 buyerAmount);
    event PaymentCredited(uint64 indexed shipmentId, address indexed account, IERC20 indexed token, uint256 amount);
    event Withdrawn(address indexed account, IERC20 indexed token, address indexed to, uint256 amount);
    event FeeRefundWithdrawn(address indexed account, address indexed to, uint256 amountWei);
    event SettingsChanged(EscrowSettings settings);

    // ---------------------------------------------------------------- buyer

    /// @notice Escrows `terms.price` of `terms.token` from the caller (the buyer; approve first) for a
    /// shipment from `terms.supplier` carried by `terms.carrier`.
    /// @param origin where the goods come from, recorded in the provenance trail
    /// @param delayFeatures the delay model's features (fixed-point, its schema); the supplier repeats them
    /// at dispatch, checked against their hash
    /// @return shipmentId starting at 1
    function createShipment(ShipmentTerms calldata terms, string calldata origin, int256[] calldata delayFeatures)
        external
        returns (uint64 shipmentId);

    /// @notice Buyer or supplier calls the deal off before dispatch; the price is credited back to the buyer.
    function cancel(uint64 shipmentId) external;

    // ---------------------------------------------------------------- custody

    /// @notice The supplier hands custody to the carrier and pays (msg.value, exactly the model's fee) for a
    /// delay-risk prediction. The answer is advisory: events only.
    /// @param delayFeatures the features given at creation
    function dispatch(uint64 shipmentId, int256[] calldata delayFeatures)
        external
        payable
        returns (bytes32 requestId);

    /// @notice A registered gateway records a checkpoint before delivery.
    /// @param rawDataHash hash of the full sensor log kept off chain
    /// @param features summary of the readings in the condition model's schema; the latest checkpoint's
    /// features are what the condition is judged on at delivery
    function recordCheckpoint(
        uint64 shipmentId,
        string calldata location,
        bytes32 rawDataHash,
        int256[] calldata features
    ) external;

    /// @notice The carrier hands custody to the buyer and pays (msg.value, exactly the model's fee) for a
    /// condition prediction on the latest checkpoint's summary features. Delivery time is this block's.
    /// @param conditionFeatures the latest checkpoint's features, checked against their hash
    function deliver(uint64 shipmentId, int256[] calldata conditionFeatures)
        external
        payable
        returns (bytes32 requestId);

    // ---------------------------------------------------------------- settlement

    /// @notice Buyer or supplier disputes a proposed outcome within its window, or a shipment still in
    /// transit one dispute window after its SLA deadline. The arbiter then decides.
    function dispute(uint64 shipmentId, string calldata reason) external;

    /// @notice The arbiter (neither buyer nor supplier) settles a dispute: `supplierBps` of the price to the
    /// supplier, the rest to the buyer.
    function resolveDispute(uint64 shipmentId, uint16 supplierBps) external;

    /// @notice After an undisputed window, anyone settles the proposed outcome.
    function finalize(uint64 shipmentId) external;

    /// @notice Pays the caller's credited `token` to `to`.
    function withdraw(IERC20 token, address to) external;

    /// @notice Pays the caller's refunded oracle fees (from expired requests) to `to`.
    function withdrawFeeRefund(address payable to) external;

    // ---------------------------------------------------------------- admin

    function setSettings(EscrowSettings calldata newSettings) external;
    /// @notice Stops new shipments, dispatches and deliveries, and stops the escrow's clock (see `escrowTime`)
    /// until `unpause`, so that no deadline runs against a party while it cannot act.
    function pause() external;
    function unpause() external;

    // ---------------------------------------------------------------- views

    function shipment(uint64 shipmentId) external view returns (Shipment memory);
    function shipmentCount() external view returns (uint64);

    /// @notice The escrow's clock: unix time minus every second the escrow has spent paused (it stands still
    /// while paused). A shipment's `slaDeadline` and `deliveredAt` are kept on this clock.
    function escrowTime() external view returns (uint64);
    function settings() external view returns (EscrowSettings memory);
    function creditOf(IERC20 token, address account) external view returns (uint256);
    function feeRefundOf(address account) external view returns (uint256);
}
