"""The direct abi.encode(bytes32, int256[]) of a commitment's input equals eth_abi's, and refuses what it refuses."""

import pytest
from eth_abi import encode
from eth_abi.exceptions import EncodingError
from hypothesis import given
from hypothesis import strategies as st

from oracle.privacy.commitment import encode_input

INT256 = st.integers(-(2**255), 2**255 - 1)


@given(st.binary(min_size=32, max_size=32), st.lists(INT256, max_size=20))
def test_encode_input_equals_eth_abi(salt, features):
    assert encode_input(salt, features) == encode(["bytes32", "int256[]"], [salt, features])


@pytest.mark.parametrize("features", [[2**255], [-(2**255) - 1], [True], [1.0]])
def test_encode_input_refuses_what_eth_abi_refuses(features):
    with pytest.raises(EncodingError):
        encode_input(b"\x01" * 32, features)
