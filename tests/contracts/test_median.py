"""Median library: the lower median of a sorted list, refused when unsorted, and safe against f < k/2 faulty values."""

import statistics

import brownie
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracle.chain.signer import first_unsorted
from tests.helpers import custom_error

INT256_MIN, INT256_MAX = -(2**255), 2**255 - 1
INT256 = st.integers(min_value=INT256_MIN, max_value=INT256_MAX)
# What a faulty signer signs: the extremes, or anything at all.
FAULTY = st.one_of(st.sampled_from([INT256_MIN, INT256_MAX]), INT256)


@pytest.fixture(scope="module")
def harness(MedianHarness, accounts):
    return MedianHarness.deploy({"from": accounts[0]})


@pytest.fixture(scope="module")
def not_sorted(OracleCoordinator):
    """The revert message of OracleCoordinatorValuesNotSorted(index), an error of the coordinator's ABI."""
    return lambda index: custom_error(OracleCoordinator, "OracleCoordinatorValuesNotSorted", index)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(INT256, min_size=1, max_size=16))
def test_lower_of_sorted_returns_low_median_of_sorted_values(harness, values):
    values.sort()
    assert harness.lowerOfSorted(values) == statistics.median_low(values)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-5, 5), min_size=1, max_size=9))
def test_lower_of_sorted_returns_low_median_with_ties(harness, values):
    values.sort()
    assert harness.lowerOfSorted(values) == values[(len(values) - 1) // 2]


@pytest.mark.parametrize("count", range(1, 10))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_lower_of_sorted_stays_within_honest_values_if_fewer_than_half_faulty(harness, count, data):
    """k = count values of which f = (count - 1) // 2 are faulty, so k >= 2f + 1: whatever the faulty signers
    sign, the result lies between the smallest and the largest honest value."""
    faulty_count = (count - 1) // 2
    honest = data.draw(st.lists(INT256, min_size=count - faulty_count, max_size=count - faulty_count), "honest")
    faulty = data.draw(st.lists(FAULTY, min_size=faulty_count, max_size=faulty_count), "faulty")
    assert min(honest) <= harness.lowerOfSorted(sorted(honest + faulty)) <= max(honest)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-3, 3), min_size=2, max_size=9).filter(lambda v: v != sorted(v)))
def test_lower_of_sorted_reverts_at_first_value_below_its_predecessor(harness, not_sorted, values):
    with brownie.reverts(not_sorted(first_unsorted(values))):
        harness.lowerOfSorted(values)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([7], 7),
        ([1, 2, 3], 2),
        ([1, 2], 1),
        ([-2, -1], -2),
        ([10, 20, 30, 40], 20),
        ([5, 5, 5, 5], 5),
        ([INT256_MIN, 0, INT256_MAX], 0),
        ([INT256_MIN, INT256_MIN], INT256_MIN),
        ([INT256_MAX, INT256_MAX], INT256_MAX),
    ],
)
def test_lower_of_sorted_examples(harness, values, expected):
    assert harness.lowerOfSorted(values) == expected


@pytest.mark.parametrize(
    "values, index", [([2, 1], 1), ([1, 3, 2], 2), ([INT256_MAX, INT256_MIN], 1), ([0, 0, -1, 5], 2)]
)
def test_lower_of_sorted_reverts_if_unsorted(harness, not_sorted, values, index):
    with brownie.reverts(not_sorted(index)):
        harness.lowerOfSorted(values)


def test_lower_of_sorted_reverts_if_empty(harness):
    with brownie.reverts(revert_pattern="Index out of range"):
        harness.lowerOfSorted([])
