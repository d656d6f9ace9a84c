"""Median library: agrees with a reference median (truncated toward zero for even counts) on any input."""

import statistics
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

INT256 = st.integers(min_value=-(2**255), max_value=2**255 - 1)


@pytest.fixture(scope="module")
def harness(MedianHarness, accounts):
    return MedianHarness.deploy({"from": accounts[0]})


def reference_median(values: list[int]) -> int:
    exact = Fraction(statistics.median_low(values) + statistics.median_high(values), 2)
    return int(exact)  # int() of a Fraction truncates toward zero


@settings(max_examples=200, deadline=None)
@given(values=st.lists(INT256, min_size=1, max_size=16))
def test_median_matches_reference(harness, values):
    assert harness.median(values) == reference_median(values)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-5, 5), min_size=1, max_size=9))
def test_median_of_small_values_with_ties_matches_reference(harness, values):
    assert harness.median(values) == reference_median(values)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(INT256, min_size=1, max_size=16))
def test_median_lies_within_range(harness, values):
    assert min(values) <= harness.median(values) <= max(values)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([7], 7),
        ([3, 1, 2], 2),
        ([1, 2], 1),
        ([-1, -2], -1),
        ([-3, 4], 0),
        ([3, -4], 0),
        ([2**255 - 1, 2**255 - 1], 2**255 - 1),
        ([-(2**255), -(2**255)], -(2**255)),
    ],
)
def test_median_examples(harness, values, expected):
    assert harness.median(values) == expected
