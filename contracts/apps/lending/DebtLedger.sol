// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice Per-second interest on fixed-rate loans, with the pool's total debt kept in O(1).
/// @dev Between two touches a loan owes simple interest on what it owed at the last touch:
///   owed(t) = debt + debt * aprBps * (t - since) / (10000 * 365 days),
/// rounded up; each touch (draw, repay, liquidation) compounds it into `debt`. The pool keeps the
/// exact sum of every loan's unrounded owed(t) scaled by SCALE (`scaledDebt` at `updatedAt`,
/// growing by `ratePerSecond` each second), so the total is exact and never overstated: lenders
/// count the sum rounded down, each borrower owes its share rounded up.
library DebtLedger {
    uint256 internal constant SCALE = 10_000 * 365 days;

    struct Totals {
        uint256 scaledDebt;
        uint216 ratePerSecond;
        uint40 updatedAt;
    }

    /// @notice The pool's outstanding debt with interest up to now, rounded down.
    function total(Totals storage totals) internal view returns (uint256) {
        return _scaledNow(totals) / SCALE;
    }

    /// @notice What a loan owes now (rounded up) and its exact scaled amount, for `rebase`.
    function owed(uint256 debt, uint256 aprBps, uint256 since) internal view returns (uint256, uint256 scaled) {
        scaled = debt * SCALE + debt * aprBps * (block.timestamp - since);
        return (Math.ceilDiv(scaled, SCALE), scaled);
    }

    /// @notice Replaces a loan's contribution to the totals: it owed `scaled` (from `owed`, now) on
    /// `oldDebt` and owes `newDebt` from now on, both at `aprBps`.
    function rebase(Totals storage totals, uint256 oldDebt, uint256 scaled, uint256 newDebt, uint256 aprBps)
        internal
    {
        totals.scaledDebt = _scaledNow(totals) - scaled + newDebt * SCALE;
        totals.ratePerSecond = SafeCast.toUint216(totals.ratePerSecond - oldDebt * aprBps + newDebt * aprBps);
        totals.updatedAt = uint40(block.timestamp);
    }

    function _scaledNow(Totals storage totals) private view returns (uint256) {
        return totals.scaledDebt + uint256(totals.ratePerSecond) * (block.timestamp - totals.updatedAt);
    }
}
