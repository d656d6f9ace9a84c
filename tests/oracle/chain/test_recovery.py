"""recover_signer: the Python twin of the coordinator's compact-signature recovery."""

import pytest

from oracle.chain.eip712 import observation_digest
from oracle.chain.recovery import InvalidSignature, recover_signer
from oracle.types import Status
from tests.oracle.network.fixtures import REQUEST, REQUEST_ID, SEPARATOR, SIGNERS

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def test_recover_signer_returns_the_address_that_signed():
    digest = observation_digest(SEPARATOR, REQUEST_ID, REQUEST, Status.OK, 42)
    for signer in SIGNERS[:3]:
        assert recover_signer(digest, signer.sign_observation(REQUEST_ID, REQUEST, Status.OK, 42)) == signer.address


def test_recover_signer_gives_another_address_for_another_digest():
    signature = SIGNERS[0].sign_observation(REQUEST_ID, REQUEST, Status.OK, 42)
    digest = observation_digest(SEPARATOR, REQUEST_ID, REQUEST, Status.OK, 43)
    assert recover_signer(digest, signature) != SIGNERS[0].address


def test_recover_signer_refuses_an_s_in_the_upper_half_of_the_order():
    signature = SIGNERS[0].sign_observation(REQUEST_ID, REQUEST, Status.OK, 42)
    high = signature[:32] + (N // 2 + 1).to_bytes(32, "big")  # the compact form's top bit stays free
    digest = observation_digest(SEPARATOR, REQUEST_ID, REQUEST, Status.OK, 42)
    with pytest.raises(InvalidSignature, match="upper half"):
        recover_signer(digest, high)


@pytest.mark.parametrize("length", [0, 63, 65])
def test_recover_signer_refuses_a_signature_of_the_wrong_length(length):
    with pytest.raises(InvalidSignature, match="64 bytes"):
        recover_signer(b"\x00" * 32, b"\x01" * length)
