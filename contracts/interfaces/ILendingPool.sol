// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Status, PullReport} from "../libraries/OracleTypes.sol";
import {CreditPolicy} from "../apps/lending/CreditPolicy.sol";
import {Loan, LoanStatus, PoolSettings} from "../apps/lending/LendingTypes.sol";

/// @title AI lending pool
/// @notice Lenders deposit a stablecoin for ERC-4626 shares. A borrower posts collateral and a data
/// provider's attestation of the credit-risk features of an application, which stay off chain (only their
/// commitment is public); an oracle's probability of default (PD) decides approval,
/// APR and maximum loan-to-value under the owner's CreditPolicy. Approved borrowers draw within a
/// window, interest accrues per second, and loans whose collateral value falls too low are liquidated.
interface ILendingPool {
    // ---------------------------------------------------------------- errors
    error LendingPoolZeroAddress();
    error LendingPoolSameToken(address token);
    error LendingPoolZeroAmount();
    error LendingPoolAmountTooLarge(uint256 amount, uint256 max);
    error LendingPoolNotBorrower(bytes32 loanId, address caller);
    error LendingPoolLoanNotActive(bytes32 loanId, LoanStatus status);
    error LendingPoolDrawWindowClosed(bytes32 loanId, uint256 drawDeadline);
    error LendingPoolExceedsCreditLine(bytes32 loanId, uint256 amount, uint256 remaining);
    error LendingPoolExceedsLtv(bytes32 loanId, uint256 debtAfter, uint256 maxDebt);
    error LendingPoolInsufficientLiquidity(uint256 amount, uint256 available);
    error LendingPoolNothingToRepay(bytes32 loanId);
    error LendingPoolLoanHealthy(bytes32 loanId, uint256 debt, uint256 liquidationDebt);
    error LendingPoolOutstandingDebt(bytes32 loanId, uint256 debt);
    error LendingPoolDecisionPending(bytes32 loanId);
    error LendingPoolNotClosable(bytes32 loanId, LoanStatus status);
    error LendingPoolStalePrice(uint256 updatedAt, uint256 maxAgeSeconds);
    error LendingPoolInvalidPrice(int256 answer);
    error LendingPoolWrongModel(bytes32 expected, bytes32 reported);
    error LendingPoolReportNotOk(Status status);
    error LendingPoolInvalidPd(int256 value);
    error LendingPoolPdAboveMax(uint256 pdBps, uint256 maxPdBps);
    error LendingPoolInvalidMaxPd(uint256 maxPdBps);
    error LendingPoolAprTooHigh(uint256 maxAprBps, uint256 limitBps);
    error LendingPoolInvalidLtv(uint256 maxLtvBps, uint256 ltvSlopeBps, uint256 liquidationThresholdBps);
    error LendingPoolInvalidLiquidationBonus(uint256 liquidationThresholdBps, uint256 liquidationBonusBps);
    error LendingPoolInvalidDrawWindow(uint256 drawWindowSeconds);
    error LendingPoolInvalidRequestTtl(uint256 requestTtlSeconds);
    error LendingPoolInvalidCallbackGas(uint256 callbackGasLimit);
    error LendingPoolInvalidMaxPriceAge(uint256 maxPriceAgeSeconds);
    error LendingPoolNothingToWithdraw(address account);

    // ---------------------------------------------------------------- events
    event PolicyChanged(CreditPolicy policy);
    event SettingsChanged(PoolSettings settings);

    /// @notice A borrower applied: push mode waits for the oracle, pull mode is decided in the same
    /// transaction. `inputHash` is the commitment keccak256(abi.encode(bytes32 salt, int256[] features)),
    /// what `attester` attested for the borrower and the oracle signs over.
    event LoanApplied(
        bytes32 indexed loanId,
        address indexed borrower,
        bytes32 indexed modelId,
        uint256 collateralAmount,
        uint256 requestedAmount,
        bytes32 artifactHash,
        bytes32 inputHash,
        address attester
    );

    /// @notice The audit trail of every decision: which model (id and artifact) decided what on which
    /// input (its commitment), attested by whom. `pdBps` is the oracle's value as delivered (0 unless `status` is OK); `aprBps`, `ltvBps`
    /// and `drawDeadline` are zero unless approved.
    event LoanDecided(
        bytes32 indexed loanId,
        address indexed borrower,
        bytes32 indexed modelId,
        bytes32 artifactHash,
        bytes32 inputHash,
        address attester,
        Status status,
        int256 pdBps,
        bool approved,
        uint256 aprBps,
        uint256 ltvBps,
        uint256 drawDeadline
    );

    event LoanDrawn(bytes32 indexed loanId, uint256 amount, uint256 debt);
    event LoanRepaid(bytes32 indexed loanId, address indexed payer, uint256 amount, uint256 remainingDebt);

    /// @notice A loan closed with nothing owed: collateral (and an expired request's fee) returned.
    event LoanClosed(bytes32 indexed loanId, uint256 collateralReturned, uint256 feeRefundedWei);

    /// @notice `liquidator` repaid `repaidAmount` and received `collateralSeized`; the borrower got
    /// `collateralReturned` (credited for withdrawal); `badDebt` was written off, a loss shared by all lenders.
    event LoanLiquidated(
        bytes32 indexed loanId,
        address indexed liquidator,
        uint256 repaidAmount,
        uint256 collateralSeized,
        uint256 collateralReturned,
        uint256 badDebt
    );

    /// @notice A liquidation left `amount` of collateral to `borrower`, who withdraws it with `withdrawCollateral`.
    event CollateralCredited(bytes32 indexed loanId, address indexed borrower, uint256 amount);
    event CollateralWithdrawn(address indexed borrower, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- borrowers

    /// @notice Applies for a loan: takes `collateralAmount` of the collateral token (approve first) and
    /// asks the oracle, in a private request, for the PD of the caller's features; `msg.value` is the
    /// request's fee, at least the coordinator's `requestFee` for this pool's model and callback gas limit. The decision arrives later in `LoanDecided`. Reverts unless a trusted data provider
    /// attested `inputCommitment` for the caller and this pool's model, unexpired (the coordinator's
    /// AttestationRegistry decides).
    /// @param collateralAmount collateral posted, in the collateral token's smallest unit (mETH: 18 decimals)
    /// @param requestedAmount the credit line asked for, in the pool asset's smallest unit (mUSD: 6 decimals);
    /// the credit-risk model's `amount` feature is the same sum in whole currency units (1,500 mUSD: 1500000000
    /// here, 1500 in the features)
    /// @param inputCommitment keccak256(abi.encode(bytes32 salt, int256[] features)), features in the model's
    /// schema order (fixed point with each feature's schema scale)
    /// @param encryptedInput salt and features encrypted to the oracle's nodes (IOracleCoordinator.encryptionKeys)
    /// @param attestationExpiresAt the attestation's expiry (unix seconds)
    /// @param attestationSignature the data provider's EIP-712 Attestation signature (65 bytes: r, s, v)
    /// @return loanId the oracle request id
    function applyForLoan(
        uint256 collateralAmount,
        uint256 requestedAmount,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        uint64 attestationExpiresAt,
        bytes calldata attestationSignature
    ) external payable returns (bytes32 loanId);

    /// @notice Pull mode: applies with a signed report made for the caller and this pool, and is decided
    /// at once. Reverts unless a trusted data provider attested `report.inputHash` for the caller (as in
    /// `applyForLoan`), and the report is for this pool's model, unused, OK, and within the policy; then
    /// takes the collateral, opens the credit line and draws `drawAmount` (may be zero).
    /// @param collateralAmount in the collateral token's smallest unit (mETH: 18 decimals)
    /// @param requestedAmount and `drawAmount`: in the pool asset's smallest unit (mUSD: 6 decimals), while the
    /// report's `amount` feature is in whole units; `report.values` are PDs in basis points (0..10,000)
    /// @return loanId the report's key: keccak256 of every PullReport field but `values`, in order
    function borrowWithReport(
        PullReport calldata report,
        bytes calldata signatures,
        uint256 collateralAmount,
        uint256 requestedAmount,
        uint256 drawAmount,
        uint64 attestationExpiresAt,
        bytes calldata attestationSignature
    ) external returns (bytes32 loanId);

    /// @notice Draws `amount` of an approved loan before its draw deadline. Cumulative draws stay
    /// within the requested amount and the debt within the loan's LTV of its collateral's value now.
    function draw(bytes32 loanId, uint256 amount) external;

    /// @notice Repays up to `amount` of a loan's debt (anyone may pay); a full repayment closes the
    /// loan and returns its collateral to the borrower.
    /// @return repaid what was taken from the caller
    function repay(bytes32 loanId, uint256 amount) external returns (uint256 repaid);

    /// @notice Liquidates a loan whose debt exceeds the liquidation threshold of its collateral's
    /// value (at the threshold and bonus the loan was approved with): the caller repays the debt, or what the
    /// collateral covers with the bonus, and receives that much collateral plus the bonus; what remains is
    /// credited to the borrower (`withdrawCollateral`), and debt the collateral cannot cover is written off.
    function liquidate(bytes32 loanId) external returns (uint256 repaidAmount, uint256 collateralSeized);

    /// @notice Sends the caller the collateral its liquidated loans left it, to `to`.
    function withdrawCollateral(address to) external;

    /// @notice Returns the collateral of a loan that owes nothing: rejected, expired (the refunded
    /// oracle fee too), approved but unused, or pending after the coordinator answered or cancelled
    /// its request but the callback failed.
    function closeLoan(bytes32 loanId) external;

    // ---------------------------------------------------------------- owner

    /// @notice Sets the policy of future decisions; loans already approved keep the terms they were approved with.
    function setPolicy(CreditPolicy calldata newPolicy) external;

    function setSettings(PoolSettings calldata newSettings) external;

    // ---------------------------------------------------------------- views

    function loanOf(bytes32 loanId) external view returns (Loan memory);

    /// @notice What a loan owes now, interest included (rounded up).
    function debtOf(bytes32 loanId) external view returns (uint256);

    /// @notice All interest a loan has accrued: owed now plus settled minus drawn. Never decreases.
    function accruedInterestOf(bytes32 loanId) external view returns (uint256);

    /// @notice What the borrower could draw now (zero unless active and within the window).
    function availableToDraw(bytes32 loanId) external view returns (uint256);

    /// @notice Whether `liquidate` would accept the loan now.
    function isLiquidatable(bytes32 loanId) external view returns (bool);

    /// @notice Collateral left to `borrower` by liquidations, waiting for `withdrawCollateral`.
    function collateralCreditOf(address borrower) external view returns (uint256);

    /// @notice The value of `collateralAmount` in the pool's asset at the feed's current price.
    function collateralValue(uint256 collateralAmount) external view returns (uint256);

    /// @notice Outstanding debt of all loans with interest up to now (rounded down).
    function totalDebt() external view returns (uint256);

    function policy() external view returns (CreditPolicy memory);
    function settings() external view returns (PoolSettings memory);
    function modelId() external view returns (bytes32);
    function collateralToken() external view returns (address);
    function priceFeed() external view returns (address);
}
