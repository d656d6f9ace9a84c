// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The owner's credit policy: how a probability of default (PD, basis points) becomes a
/// decision. One storage slot.
/// - approve when PD <= maxPdBps;
/// - APR = baseAprBps + aprSlopeBps * PD / 10000 (rounded up);
/// - max LTV = maxLtvBps - ltvSlopeBps * PD / 10000 (the subtraction rounded up, so LTV rounds down);
/// - a loan is liquidatable when its debt exceeds liquidationThresholdBps of its collateral value,
///   and the liquidator receives collateral worth the debt repaid plus liquidationBonusBps;
/// - an approved borrower may draw for drawWindowSeconds after the decision.
struct CreditPolicy {
    uint16 maxPdBps;
    uint16 baseAprBps;
    uint16 aprSlopeBps;
    uint16 maxLtvBps;
    uint16 ltvSlopeBps;
    uint16 liquidationThresholdBps;
    uint16 liquidationBonusBps;
    uint32 drawWindowSeconds;
}

/// @notice What the policy grants for one PD.
struct CreditTerms {
    bool approved;
    uint16 aprBps;
    uint16 ltvBps;
}

/// @notice Applies a CreditPolicy to a PD.
library CreditPolicyMath {
    uint256 internal constant BPS = 10_000;

    /// @dev `pdBps` must be within 0..BPS. A valid policy (see LendingPool.setPolicy) keeps
    /// aprBps within uint16 and ltvBps above zero for every PD.
    function terms(CreditPolicy memory policy, uint256 pdBps) internal pure returns (CreditTerms memory) {
        if (pdBps > policy.maxPdBps) return CreditTerms(false, 0, 0);
        uint256 aprBps = policy.baseAprBps + _mulBpsUp(policy.aprSlopeBps, pdBps);
        uint256 ltvBps = policy.maxLtvBps - _mulBpsUp(policy.ltvSlopeBps, pdBps);
        return CreditTerms(true, uint16(aprBps), uint16(ltvBps));
    }

    function _mulBpsUp(uint256 slopeBps, uint256 pdBps) private pure returns (uint256) {
        return (slopeBps * pdBps + BPS - 1) / BPS;
    }
}
