"""EIP-1559 fee arithmetic for new transactions and for replacements of stuck ones, and the warning when
the operator's fee cap (ORACLE_MAX_FEE_GWEI) keeps transactions out of blocks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
GWEI = 10**9
CAP_WARNING_SECONDS = 60.0  # at most one fee-cap warning a minute: it holds for many transactions at once

# The replacement rule of geth's and most other pools: both fee fields at least 10% above the pending attempt's.
MIN_REPLACEMENT_BUMP_PERCENT = 10


def bumped(value: int, percent: int) -> int:
    """`value` raised by `percent`, rounded up."""
    return -(-value * (100 + percent) // 100)


def capped(max_fee: int, priority_fee: int, cap: int | None) -> tuple[int, int]:
    """(maxFeePerGas, maxPriorityFeePerGas) with the max fee at most `cap` and the priority fee at most the max fee."""
    if cap is not None:
        max_fee = min(max_fee, cap)
    return max_fee, min(priority_fee, max_fee)


def cap_shortfall(base_fee: int, priority_fee: int, cap: int | None) -> str | None:
    """What the cap costs now, in numbers, or None when today's fee (base fee + priority fee) fits under it."""
    if cap is None or base_fee + priority_fee <= cap:
        return None
    today = base_fee + priority_fee
    return (
        f"the fee cap of {cap / GWEI:g} gwei is below today's fee of {today / GWEI:g} gwei (base fee "
        f"{base_fee / GWEI:g} + priority fee {priority_fee / GWEI:g}), {today / cap:.1f}x over it: transactions "
        f"{'wait until the base fee falls under the cap' if base_fee > cap else 'go out with a smaller tip and may wait'}"
        ", or raise ORACLE_MAX_FEE_GWEI"
    )


class _Throttled:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._last = float("-inf")

    def due(self) -> bool:
        now = self._clock()
        if now - self._last < self._seconds:
            return False
        self._last = now
        return True


_cap_warning = _Throttled(CAP_WARNING_SECONDS)


def _warn_if_capped(base_fee: int, priority_fee: int, cap: int | None) -> None:
    shortfall = cap_shortfall(base_fee, priority_fee, cap)
    if shortfall is not None and _cap_warning.due():
        log.warning("%s", shortfall)


def initial_fees(base_fee: int, priority_fee: int, cap: int | None) -> tuple[int, int]:
    """Room for the base fee to double (six full blocks in a row) on top of the priority fee."""
    _warn_if_capped(base_fee, priority_fee, cap)
    return capped(2 * base_fee + priority_fee, priority_fee, cap)


def replacement_fees(
    old_max_fee: int, old_priority_fee: int, base_fee: int, priority_fee: int, bump_percent: int, cap: int | None
) -> tuple[int, int] | None:
    """Fees for a new attempt at a stuck nonce: the old ones raised by `bump_percent` and at least today's
    `initial_fees`, capped; None when that is not enough to replace the old attempt.

    `bump_percent` 0 re-prices an attempt that no pool holds any more: nothing to outbid, only the market to meet.
    """
    _warn_if_capped(base_fee, priority_fee, cap)
    priority = max(bumped(old_priority_fee, bump_percent), priority_fee)
    max_fee, priority = capped(max(bumped(old_max_fee, bump_percent), 2 * base_fee + priority), priority, cap)
    rule = MIN_REPLACEMENT_BUMP_PERCENT if bump_percent else 0
    if max_fee < bumped(old_max_fee, rule) or priority < bumped(old_priority_fee, rule):
        return None
    if (max_fee, priority) == (old_max_fee, old_priority_fee):
        return None
    return max_fee, priority
