"""Conversions between real values and the fixed-point integers that cross the chain boundary.

Rule: a real value is written in its shortest decimal form (Python's repr), multiplied by the
scale and rounded half to even. Decimal arithmetic keeps 1.005 at scale 100 from becoming
100.49999... in binary floating point.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal


def is_power_of_ten(scale: int) -> bool:
    """True for 1, 10, 100, ..."""
    if scale < 1:
        return False
    while scale % 10 == 0:
        scale //= 10
    return scale == 1


def to_fixed(value: float, scale: int) -> int:
    """Round a finite real value to an integer count of 1/scale units; ValueError if not finite."""
    real = Decimal(repr(float(value)))
    if not real.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return int((real * scale).to_integral_value(ROUND_HALF_EVEN))


def fixed_bounds(low: float, high: float, scale: int) -> tuple[int, int]:
    """The smallest and largest fixed-point integers whose real values lie in [low, high]."""
    lo = (Decimal(repr(float(low))) * scale).to_integral_value(ROUND_CEILING)
    hi = (Decimal(repr(float(high))) * scale).to_integral_value(ROUND_FLOOR)
    return int(lo), int(hi)


def from_fixed(value: int, scale: int) -> float:
    """The real value of a fixed-point integer (correctly rounded to the nearest float)."""
    return value / scale
