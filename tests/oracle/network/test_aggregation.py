"""quorum(): k agreeing observations of registered signers, values ascending, our own status first."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from oracle.network.aggregation import quorum
from oracle.types import Status
from tests.oracle.network.fixtures import REQUEST, SIGNERS, observe

REGISTERED = frozenset(s.address for s in SIGNERS[:4])
OWN = SIGNERS[0].address


def test_quorum_is_none_below_threshold():
    observations = [observe(SIGNERS[0], 10), observe(SIGNERS[1], 11)]
    assert quorum(REQUEST, observations, 3, REGISTERED, OWN) is None


def test_quorum_sorts_values_with_their_signatures():
    observations = [observe(SIGNERS[0], 30), observe(SIGNERS[1], 10), observe(SIGNERS[2], 20)]
    agreed = quorum(REQUEST, observations, 3, REGISTERED, OWN)
    assert agreed.values == (10, 20, 30)
    by_value = {o.value: o for o in observations}
    assert agreed.signatures == b"".join(by_value[v].signature for v in (10, 20, 30))
    assert agreed.signers == tuple(by_value[v].signer for v in (10, 20, 30))


def test_quorum_ignores_unregistered_signers():
    observations = [observe(SIGNERS[0], 1), observe(SIGNERS[1], 1), observe(SIGNERS[5], 1)]
    assert quorum(REQUEST, observations, 3, REGISTERED, OWN) is None


def test_quorum_ignores_observations_of_other_request_fields():
    other = replace(REQUEST, input_hash=b"\x07" * 32)
    observations = [observe(SIGNERS[0], 1), observe(SIGNERS[1], 1), observe(SIGNERS[2], 1, request=other)]
    assert quorum(REQUEST, observations, 3, REGISTERED, OWN) is None


def test_quorum_takes_the_status_k_signers_agree_on():
    observations = [
        observe(SIGNERS[3], 0, Status.INVALID_INPUT),
        observe(SIGNERS[0], 5),
        observe(SIGNERS[1], 5),
        observe(SIGNERS[2], 5),
    ]
    agreed = quorum(REQUEST, observations, 3, REGISTERED, OWN)
    assert agreed.status == Status.OK and agreed.values == (5, 5, 5)


def test_quorum_includes_own_observation_first_when_more_than_k_agree():
    observations = [observe(SIGNERS[1], 1), observe(SIGNERS[2], 2), observe(SIGNERS[3], 3), observe(SIGNERS[0], 4)]
    agreed = quorum(REQUEST, observations, 3, REGISTERED, OWN)
    assert OWN in agreed.signers and len(agreed.values) == 3


@given(
    honest=st.lists(st.integers(-(10**6), 10**6), min_size=3, max_size=3),
    liar=st.integers(-(2**255), 2**255 - 1),
)
def test_lower_median_of_any_quorum_stays_between_honest_values(honest, liar):
    observations = [observe(SIGNERS[i], v) for i, v in enumerate(honest)] + [observe(SIGNERS[3], liar)]
    for own in REGISTERED:
        agreed = quorum(REQUEST, observations, 3, REGISTERED, own)
        median = agreed.values[(len(agreed.values) - 1) // 2]
        assert min(honest) <= median <= max(honest)
