"""The directly written verifyReport calldata equals eth_abi's encoding of the same report and signatures."""

from eth_abi import encode
from hypothesis import given
from hypothesis import strategies as st

from oracle.api.schemas.predictions import _VERIFY_SELECTOR, PULL_REPORT_TUPLE, verify_report_calldata
from oracle.types import PullReport, Status

ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
WORDS = st.binary(min_size=32, max_size=32)


@given(
    ADDRESSES,
    ADDRESSES,
    st.integers(0, 2**64 - 1),
    WORDS,
    WORDS,
    WORDS,
    st.sampled_from(list(Status)),
    st.lists(st.integers(-(2**255), 2**255 - 1), max_size=5),
    st.binary(max_size=200),
)
def test_calldata_equals_eth_abi(subject, consumer, valid_until, model_id, artifact, input_hash, status, values, sigs):
    report = PullReport(subject, consumer, valid_until, model_id, artifact, input_hash, status, tuple(values))
    expected = _VERIFY_SELECTOR + encode([PULL_REPORT_TUPLE, "bytes"], [report.as_abi(), sigs])
    assert verify_report_calldata(report, sigs) == expected
