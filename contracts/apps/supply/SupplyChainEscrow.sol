// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {OracleConsumer} from "../../consumer/OracleConsumer.sol";
import {IOracleCoordinator} from "../../interfaces/IOracleCoordinator.sol";
import {ObservationHashing} from "../../libraries/ObservationHashing.sol";
import {Status} from "../../libraries/OracleTypes.sol";
import {ISupplyChainEscrow} from "./ISupplyChainEscrow.sol";
import {
    EscrowSettings,
    Outcome,
    PendingPrediction,
    PredictionKind,
    Shipment,
    ShipmentState,
    ShipmentTerms
} from "./ShipmentTypes.sol";

/// @title SupplyChainEscrow
/// @notice Escrowed payment for a shipment, settled on a delivery-condition prediction and the SLA deadline.
/// @dev Pausing stops new shipments, dispatches and deliveries (everything that starts an obligation or an
/// oracle request); checkpoints, callbacks, disputes, settlement and withdrawals always stay open.
contract SupplyChainEscrow is ISupplyChainEscrow, OracleConsumer, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Settles disputes; never the buyer or supplier of the shipment it rules on.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Registered sensor gateways, which record checkpoints.
    bytes32 public constant GATEWAY_ROLE = keccak256("GATEWAY_ROLE");
    /// @notice Gas the coordinator gives each callback; the heaviest path uses well under half of it.
    uint32 public constant CALLBACK_GAS_LIMIT = 150_000;
    /// @notice The longest time the oracle may be given to answer: the coordinator's longest request deadline.
    uint32 public constant MAX_ORACLE_TTL_SECONDS = 30 days;

    EscrowSettings private _settings;
    uint64 private _shipmentCount;
    /// @dev The escrow's clock (`escrowTime`): seconds spent paused before the current pause, and when it began.
    uint64 private _pausedSeconds;
    uint64 private _pausedAt;
    mapping(uint64 shipmentId => Shipment) private _shipments;
    mapping(bytes32 requestId => PendingPrediction) private _pending;
    mapping(IERC20 token => mapping(address account => uint256)) private _credits;
    mapping(address payer => uint256) private _feeRefundsWei;

    constructor(IOracleCoordinator coordinator_, address admin, EscrowSettings memory initialSettings)
        OracleConsumer(coordinator_)
    {
        if (admin == address(0) || address(coordinator_) == address(0)) revert SupplyChainEscrowZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setSettings(initialSettings);
    }

    // ================================================================ buyer

    /// @inheritdoc ISupplyChainEscrow
    function createShipment(ShipmentTerms calldata terms, string calldata origin, int256[] calldata delayFeatures)
        external
        nonReentrant
        whenNotPaused
        returns (uint64 shipmentId)
    {
        _checkTerms(terms);
        if (bytes(origin).length == 0) revert SupplyChainEscrowEmptyOrigin();
        if (delayFeatures.length == 0) revert SupplyChainEscrowEmptyFeatures();

        shipmentId = ++_shipmentCount;
        Shipment storage s = _shipments[shipmentId];
        s.buyer = msg.sender;
        // On the escrow's clock, which stands still while paused: time paused from now on never makes a delivery late.
        s.slaDeadline = terms.slaDeadline - _pausedSeconds;
        s.maxConditionBps = terms.maxConditionBps;
        s.latePenaltyBps = terms.latePenaltyBps;
        s.supplier = terms.supplier;
        s.state = ShipmentState.Created;
        s.carrier = terms.carrier;
        s.token = terms.token;
        s.price = terms.price;
        s.delayFeaturesHash = ObservationHashing.inputHash(delayFeatures);
        emit ShipmentCreated(shipmentId, msg.sender, terms.supplier, terms, origin, delayFeatures);

        // Balance difference, so a token that charges transfer fees cannot leave the escrow short.
        uint256 before = terms.token.balanceOf(address(this));
        terms.token.safeTransferFrom(msg.sender, address(this), terms.price);
        uint256 received = terms.token.balanceOf(address(this)) - before;
        if (received != terms.price) revert SupplyChainEscrowTransferShortfall(terms.price, received);
    }

    /// @inheritdoc ISupplyChainEscrow
    function cancel(uint64 shipmentId) external {
        Shipment storage s = _shipmentIn(shipmentId, ShipmentState.Created);
        if (msg.sender != s.buyer && msg.sender != s.supplier) revert SupplyChainEscrowNotParty(shipmentId, msg.sender);
        emit ShipmentCancelled(shipmentId, msg.sender);
        _settle(shipmentId, s, Outcome.Cancelled, 0);
    }

    // ================================================================ custody

    /// @inheritdoc ISupplyChainEscrow
    function dispatch(uint64 shipmentId, int256[] calldata delayFeatures)
        external
        payable
        whenNotPaused
        returns (bytes32 requestId)
    {
        Shipment storage s = _shipmentIn(shipmentId, ShipmentState.Created);
        if (msg.sender != s.supplier) revert SupplyChainEscrowNotSupplier(shipmentId, msg.sender);
        _checkFeatures(shipmentId, s.delayFeaturesHash, delayFeatures);
        s.state = ShipmentState.InTransit;
        emit CustodyTransferred(shipmentId, msg.sender, s.carrier);

        requestId = _request(shipmentId, PredictionKind.DelayRisk, _settings.delayModelId, delayFeatures);
        emit DelayRiskRequested(shipmentId, requestId);
    }

    /// @inheritdoc ISupplyChainEscrow
    function recordCheckpoint(
        uint64 shipmentId,
        string calldata location,
        bytes32 rawDataHash,
        int256[] calldata features
    ) external onlyRole(GATEWAY_ROLE) {
        Shipment storage s = _existing(shipmentId);
        ShipmentState state = s.state;
        if (state != ShipmentState.Created && state != ShipmentState.InTransit) {
            revert SupplyChainEscrowWrongState(shipmentId, state);
        }
        if (rawDataHash == bytes32(0)) revert SupplyChainEscrowZeroRawDataHash();
        if (features.length == 0) revert SupplyChainEscrowEmptyFeatures();
        uint32 index = s.checkpointCount;
        s.checkpointCount = index + 1;
        s.conditionFeaturesHash = ObservationHashing.inputHash(features);
        emit CheckpointRecorded(shipmentId, index, msg.sender, location, rawDataHash, features);
    }

    /// @inheritdoc ISupplyChainEscrow
    function deliver(uint64 shipmentId, int256[] calldata conditionFeatures)
        external
        payable
        whenNotPaused
        returns (bytes32 requestId)
    {
        Shipment storage s = _shipmentIn(shipmentId, ShipmentState.InTransit);
        if (msg.sender != s.carrier) revert SupplyChainEscrowNotCarrier(shipmentId, msg.sender);
        uint32 checkpoints = s.checkpointCount;
        if (checkpoints == 0) revert SupplyChainEscrowNoCheckpoint(shipmentId);
        _checkFeatures(shipmentId, s.conditionFeaturesHash, conditionFeatures);
        s.deliveredAt = _escrowTime();
        s.state = ShipmentState.AwaitingCondition;
        emit CustodyTransferred(shipmentId, msg.sender, s.buyer);

        requestId = _request(shipmentId, PredictionKind.Condition, _settings.conditionModelId, conditionFeatures);
        emit ConditionRequested(shipmentId, requestId, checkpoints - 1);
    }

    // ================================================================ settlement

    /// @inheritdoc ISupplyChainEscrow
    function dispute(uint64 shipmentId, string calldata reason) external {
        Shipment storage s = _existing(shipmentId);
        if (msg.sender != s.buyer && msg.sender != s.supplier) revert SupplyChainEscrowNotParty(shipmentId, msg.sender);
        ShipmentState state = s.state;
        if (state == ShipmentState.Proposed) {
            uint64 endsAt = s.disputeEndsAt;
            if (block.timestamp > endsAt) revert SupplyChainEscrowDisputeWindowClosed(shipmentId, endsAt);
        } else if (state == ShipmentState.InTransit) {
            uint256 overdueAt = uint256(s.slaDeadline) + _settings.disputeWindowSeconds;
            if (_escrowTime() <= overdueAt) revert SupplyChainEscrowNotOverdue(shipmentId, overdueAt);
        } else {
            revert SupplyChainEscrowWrongState(shipmentId, state);
        }
        s.state = ShipmentState.Disputed;
        emit ShipmentDisputed(shipmentId, msg.sender, reason);
    }

    /// @inheritdoc ISupplyChainEscrow
    function resolveDispute(uint64 shipmentId, uint16 supplierBps) external onlyRole(ARBITER_ROLE) {
        Shipment storage s = _shipmentIn(shipmentId, ShipmentState.Disputed);
        if (msg.sender == s.buyer || msg.sender == s.supplier) {
            revert SupplyChainEscrowArbiterIsParty(shipmentId, msg.sender);
        }
        if (supplierBps > _BPS) revert SupplyChainEscrowInvalidBps(supplierBps);
        emit DisputeResolved(shipmentId, msg.sender, supplierBps);
        _settle(shipmentId, s, Outcome.Arbitrated, supplierBps);
    }

    /// @inheritdoc ISupplyChainEscrow
    function finalize(uint64 shipmentId) external {
        Shipment storage s = _shipmentIn(shipmentId, ShipmentState.Proposed);
        uint64 endsAt = s.disputeEndsAt;
        if (block.timestamp <= endsAt) revert SupplyChainEscrowDisputeWindowOpen(shipmentId, endsAt);
        _settle(shipmentId, s, s.outcome, 0);
    }

    /// @inheritdoc ISupplyChainEscrow
    function withdraw(IERC20 token, address to) external nonReentrant {
        if (to == address(0)) revert SupplyChainEscrowZeroAddress();
        uint256 amount = _credits[token][msg.sender];
        if (amount == 0) revert SupplyChainEscrowNothingToWithdraw(msg.sender);
        _credits[token][msg.sender] = 0;
        emit Withdrawn(msg.sender, token, to, amount);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc ISupplyChainEscrow
    function withdrawFeeRefund(address payable to) external nonReentrant {
        if (to == address(0)) revert SupplyChainEscrowZeroAddress();
        uint256 amountWei = _feeRefundsWei[msg.sender];
        if (amountWei == 0) revert SupplyChainEscrowNothingToWithdraw(msg.sender);
        _feeRefundsWei[msg.sender] = 0;
        emit FeeRefundWithdrawn(msg.sender, to, amountWei);
        _payFeeRefund(to, amountWei);
    }

    // ================================================================ admin

    /// @inheritdoc ISupplyChainEscrow
    function setSettings(EscrowSettings calldata newSettings) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSettings(newSettings);
    }

    /// @inheritdoc ISupplyChainEscrow
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
        _pausedAt = uint64(block.timestamp);
    }

    /// @inheritdoc ISupplyChainEscrow
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
        _pausedSeconds += uint64(block.timestamp) - _pausedAt;
    }

    // ================================================================ views

    /// @inheritdoc ISupplyChainEscrow
    function shipment(uint64 shipmentId) external view returns (Shipment memory) {
        return _shipments[shipmentId];
    }

    /// @inheritdoc ISupplyChainEscrow
    function shipmentCount() external view returns (uint64) {
        return _shipmentCount;
    }

    /// @inheritdoc ISupplyChainEscrow
    function escrowTime() external view returns (uint64) {
        return _escrowTime();
    }

    /// @inheritdoc ISupplyChainEscrow
    function settings() external view returns (EscrowSettings memory) {
        return _settings;
    }

    /// @inheritdoc ISupplyChainEscrow
    function creditOf(IERC20 token, address account) external view returns (uint256) {
        return _credits[token][account];
    }

    /// @inheritdoc ISupplyChainEscrow
    function feeRefundOf(address account) external view returns (uint256) {
        return _feeRefundsWei[account];
    }

    // ================================================================ oracle callback

    /// @dev Never reverts on a request of this contract: every branch only records and emits.
    function _onPrediction(bytes32 requestId, Status status, int256 value) internal override {
        PendingPrediction memory pending = _pending[requestId];
        if (pending.shipmentId == 0) return;
        delete _pending[requestId];
        Shipment storage s = _shipments[pending.shipmentId];
        bool isDelayRisk = pending.kind == PredictionKind.DelayRisk;
        if (status == Status.EXPIRED) {
            address payer = isDelayRisk ? s.supplier : s.carrier;
            _feeRefundsWei[payer] += pending.feeWei;
            emit OracleFeeRefundCredited(requestId, payer, pending.feeWei);
        }
        bool usable = _isOkBps(status, value);
        if (isDelayRisk) {
            _onDelayRisk(pending.shipmentId, usable, status, value);
        } else {
            _onCondition(pending.shipmentId, s, usable, status, value);
        }
    }

    function _onDelayRisk(uint64 shipmentId, bool usable, Status status, int256 value) private {
        if (!usable) {
            emit DelayRiskUnavailable(shipmentId, status, value);
            return;
        }
        uint256 riskBps = uint256(value);
        emit DelayRiskAssessed(shipmentId, riskBps);
        uint256 thresholdBps = _settings.delayAlertBps;
        if (riskBps > thresholdBps) emit DelayRiskAlert(shipmentId, riskBps, thresholdBps);
    }

    function _onCondition(uint64 shipmentId, Shipment storage s, bool usable, Status status, int256 value) private {
        if (s.state != ShipmentState.AwaitingCondition) return;
        Outcome outcome;
        if (usable) {
            uint16 conditionBps = uint16(uint256(value));
            uint16 maxConditionBps = s.maxConditionBps;
            s.conditionBps = conditionBps;
            emit ConditionAssessed(shipmentId, conditionBps, maxConditionBps);
            if (conditionBps > maxConditionBps) outcome = Outcome.Spoiled;
            else if (s.deliveredAt > s.slaDeadline) outcome = Outcome.LatePenalty;
            else outcome = Outcome.Released;
        } else {
            emit ConditionUnavailable(shipmentId, status, value);
            outcome = Outcome.OracleFailed;
        }
        uint64 endsAt = uint64(block.timestamp) + _settings.disputeWindowSeconds;
        s.state = ShipmentState.Proposed;
        s.outcome = outcome;
        s.disputeEndsAt = endsAt;
        (uint256 supplierAmount, uint256 buyerAmount) = _split(s, outcome, 0);
        emit OutcomeProposed(shipmentId, outcome, supplierAmount, buyerAmount, endsAt);
    }

    // ================================================================ internals

    function _request(uint64 shipmentId, PredictionKind kind, bytes32 modelId, int256[] calldata features)
        private
        returns (bytes32 requestId)
    {
        uint64 deadline = uint64(block.timestamp) + _settings.oracleTtlSeconds;
        requestId = _requestPrediction(modelId, features, deadline, CALLBACK_GAS_LIMIT, msg.value);
        // msg.value is the model's fee: the coordinator refuses any other amount, and it is below 2**96.
        _pending[requestId] = PendingPrediction(shipmentId, kind, uint96(msg.value));
    }

    /// @dev Credits both parties their share and closes the shipment; the only place escrow leaves a shipment.
    function _settle(uint64 shipmentId, Shipment storage s, Outcome outcome, uint16 supplierBps) private {
        (uint256 supplierAmount, uint256 buyerAmount) = _split(s, outcome, supplierBps);
        s.state = ShipmentState.Settled;
        s.outcome = outcome;
        emit ShipmentSettled(shipmentId, outcome, supplierAmount, buyerAmount);
        IERC20 token = s.token;
        _credit(shipmentId, token, s.supplier, supplierAmount);
        _credit(shipmentId, token, s.buyer, buyerAmount);
    }

    function _credit(uint64 shipmentId, IERC20 token, address account, uint256 amount) private {
        if (amount == 0) return;
        _credits[token][account] += amount;
        emit PaymentCredited(shipmentId, account, token, amount);
    }

    /// @dev (supplier, buyer) shares of the price; they always add up to the price.
    function _split(Shipment storage s, Outcome outcome, uint16 supplierBps)
        private
        view
        returns (uint256 supplierAmount, uint256 buyerAmount)
    {
        uint256 price = s.price;
        if (outcome == Outcome.Released) {
            supplierAmount = price;
        } else if (outcome == Outcome.LatePenalty) {
            supplierAmount = price - price * s.latePenaltyBps / _BPS;
        } else if (outcome == Outcome.Arbitrated) {
            supplierAmount = price * supplierBps / _BPS;
        }
        buyerAmount = price - supplierAmount;
    }

    function _checkTerms(ShipmentTerms calldata terms) private view {
        if (terms.supplier == address(0) || terms.carrier == address(0) || address(terms.token) == address(0)) {
            revert SupplyChainEscrowZeroAddress();
        }
        if (terms.supplier == msg.sender) revert SupplyChainEscrowBuyerIsSupplier(msg.sender);
        if (terms.price == 0) revert SupplyChainEscrowZeroPrice();
        if (terms.slaDeadline <= block.timestamp) {
            revert SupplyChainEscrowInvalidDeadline(terms.slaDeadline, block.timestamp);
        }
        if (terms.maxConditionBps > _BPS) revert SupplyChainEscrowInvalidBps(terms.maxConditionBps);
        if (terms.latePenaltyBps > _BPS) revert SupplyChainEscrowInvalidBps(terms.latePenaltyBps);
    }

    function _checkFeatures(uint64 shipmentId, bytes32 expected, int256[] calldata features) private pure {
        bytes32 given = ObservationHashing.inputHash(features);
        if (given != expected) revert SupplyChainEscrowFeaturesMismatch(shipmentId, expected, given);
    }

    function _setSettings(EscrowSettings memory newSettings) private {
        if (newSettings.conditionModelId == bytes32(0) || newSettings.delayModelId == bytes32(0)) {
            revert SupplyChainEscrowZeroModelId();
        }
        if (newSettings.delayAlertBps > _BPS) revert SupplyChainEscrowInvalidBps(newSettings.delayAlertBps);
        if (newSettings.disputeWindowSeconds == 0 || newSettings.oracleTtlSeconds == 0) {
            revert SupplyChainEscrowZeroDuration();
        }
        if (newSettings.oracleTtlSeconds > MAX_ORACLE_TTL_SECONDS) {
            revert SupplyChainEscrowOracleTtlTooLong(newSettings.oracleTtlSeconds, MAX_ORACLE_TTL_SECONDS);
        }
        _settings = newSettings;
        emit SettingsChanged(newSettings);
    }

    function _escrowTime() private view returns (uint64) {
        uint64 now_ = paused() ? _pausedAt : uint64(block.timestamp);
        return now_ - _pausedSeconds;
    }

    function _existing(uint64 shipmentId) private view returns (Shipment storage s) {
        s = _shipments[shipmentId];
        if (s.state == ShipmentState.None) revert SupplyChainEscrowUnknownShipment(shipmentId);
    }

    function _shipmentIn(uint64 shipmentId, ShipmentState expected) private view returns (Shipment storage s) {
        s = _existing(shipmentId);
        ShipmentState state = s.state;
        if (state != expected) revert SupplyChainEscrowWrongState(shipmentId, state);
    }
}
