"""oracle.network.quorum: tolerated faults of a k-of-n signer set and the recommended threshold."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.network.quorum import recommended_threshold, tolerated_faults, unsafe_threshold_reason


@pytest.mark.parametrize(
    "n, k, f",
    [
        (1, 1, 0),
        (3, 2, 0),
        (3, 3, 0),
        (4, 3, 1),
        (4, 4, 0),
        (5, 3, 1),
        (7, 5, 2),
        (10, 7, 3),
        (10, 9, 1),
        (255, 171, 84),
    ],
)
def test_tolerated_faults_is_min_of_safety_and_liveness_bounds(n, k, f):
    assert tolerated_faults(n, k) == f


@pytest.mark.parametrize("n, k", [(4, 0), (3, 4), (0, 0), (2, -1)])
def test_tolerated_faults_raises_if_threshold_outside_one_to_n(n, k):
    with pytest.raises(ValueError, match=f"k = {k}, n = {n}"):
        tolerated_faults(n, k)


@pytest.mark.parametrize("n, k", [(1, 1), (2, 1), (3, 1), (4, 3), (6, 3), (7, 5), (10, 7), (13, 9)])
def test_recommended_threshold_is_two_f_plus_one(n, k):
    assert recommended_threshold(n) == k


def test_recommended_threshold_raises_if_no_signers():
    with pytest.raises(ValueError, match="n = 0"):
        recommended_threshold(0)


@given(n=st.integers(1, 255))
def test_recommended_threshold_tolerates_most_faults_of_any_threshold(n):
    k = recommended_threshold(n)
    f = tolerated_faults(n, k)
    assert f == (n - 1) // 3
    assert k == 2 * f + 1 and n >= 3 * f + 1
    assert all(tolerated_faults(n, other) <= f for other in range(1, n + 1))


@given(n=st.integers(1, 60), data=st.data())
def test_tolerated_faults_meets_safety_and_liveness(n, data):
    k = data.draw(st.integers(1, n))
    f = tolerated_faults(n, k)
    assert k >= 2 * f + 1  # safety: f faulty values cannot move the lower median outside the honest ones
    assert n - f >= k  # liveness: the honest signers alone make a quorum
    assert not (k >= 2 * (f + 1) + 1 and n - (f + 1) >= k)  # and f is the largest such


@pytest.mark.parametrize("n, k", [(1, 1), (4, 3), (7, 5), (10, 7), (5, 4)])
def test_unsafe_threshold_reason_is_none_if_a_fault_is_tolerated_or_single_signer(n, k):
    assert unsafe_threshold_reason(n, k) is None


@pytest.mark.parametrize(
    "n, k, advice",
    [
        (4, 2, "use k = 3, which tolerates f = 1"),
        (4, 4, "use k = 3, which tolerates f = 1"),
        (7, 2, "use k = 5, which tolerates f = 2"),
        (3, 2, "no threshold makes 3 signers tolerate a faulty one"),
        (2, 1, "no threshold makes 2 signers tolerate a faulty one"),
    ],
)
def test_unsafe_threshold_reason_names_n_k_f_and_advice_if_no_fault_tolerated(n, k, advice):
    reason = unsafe_threshold_reason(n, k)
    assert f"k = {k} over n = {n} signers tolerates f = 0" in reason
    assert advice in reason
