"""EIP-1559 fee arithmetic for new transactions and for replacements of stuck ones."""

from __future__ import annotations

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


def initial_fees(base_fee: int, priority_fee: int, cap: int | None) -> tuple[int, int]:
    """Room for the base fee to double (six full blocks in a row) on top of the priority fee."""
    return capped(2 * base_fee + priority_fee, priority_fee, cap)


def replacement_fees(
    old_max_fee: int, old_priority_fee: int, base_fee: int, priority_fee: int, bump_percent: int, cap: int | None
) -> tuple[int, int] | None:
    """Fees for a new attempt at a stuck nonce: the old ones raised by `bump_percent` and at least today's
    `initial_fees`, capped; None when that is not enough to replace the old attempt.

    `bump_percent` 0 re-prices an attempt that no pool holds any more: nothing to outbid, only the market to meet.
    """
    priority = max(bumped(old_priority_fee, bump_percent), priority_fee)
    max_fee, priority = capped(max(bumped(old_max_fee, bump_percent), 2 * base_fee + priority), priority, cap)
    rule = MIN_REPLACEMENT_BUMP_PERCENT if bump_percent else 0
    if max_fee < bumped(old_max_fee, rule) or priority < bumped(old_priority_fee, rule):
        return None
    if (max_fee, priority) == (old_max_fee, old_priority_fee):
        return None
    return max_fee, priority
