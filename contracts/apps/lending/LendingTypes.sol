// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Where a loan is in its life:
/// Pending (waiting for the oracle) -> Rejected | Expired | Active;
/// Active -> Repaid (collateral returned) | Liquidated | Closed (closed unused);
/// Rejected | Expired -> Closed (collateral, and for Expired the oracle fee, returned).
enum LoanStatus {
    None,
    Pending,
    Rejected,
    Expired,
    Active,
    Repaid,
    Liquidated,
    Closed
}

/// @notice One application and, once approved, its loan. Seven storage slots; the id is the oracle
/// request id (push mode) or the hash of the signed report (pull mode). The liquidation terms are the
/// policy's when the loan was approved: later policy changes never apply to it.
struct Loan {
    // slot 0: written at application and at the decision
    address borrower;
    LoanStatus status;
    uint16 pdBps;
    uint16 aprBps;
    uint16 ltvBps;
    uint40 drawDeadline;
    // slot 1: collateral the pool holds for this loan (zero once returned or seized), the credit line and
    // the liquidation terms the loan was approved with
    uint128 collateralAmount;
    uint96 requestedAmount;
    uint16 liquidationThresholdBps;
    uint16 liquidationBonusBps;
    // slot 2: credit use and debt (see DebtLedger)
    uint96 drawnAmount;
    uint120 debt;
    uint40 lastAccrualAt;
    // slot 3: debt extinguished (repaid, or written off at liquidation) and the oracle fee paid
    uint128 settledAmount;
    uint96 feeWei;
    // slots 4-6: the audit trail, what the decision was made on: the model's artifact, the commitment
    // to the applicant's features, and the data provider that attested them
    bytes32 artifactHash;
    bytes32 inputHash;
    address attester;
}

/// @notice The owner's oracle and price-feed settings. One storage slot.
struct PoolSettings {
    uint32 requestTtlSeconds;
    uint32 callbackGasLimit;
    uint32 maxPriceAgeSeconds;
}
