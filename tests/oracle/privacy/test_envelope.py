"""The private-input envelope: each recipient node reads the features, nobody else does, tampering shows."""

import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from oracle.privacy.commitment import commitment, new_salt
from oracle.privacy.envelope import (
    ADDRESS_BYTES,
    WRAPPED_KEY_BYTES,
    EnvelopeError,
    Recipient,
    open_envelope,
    recipients_of,
    seal,
)
from oracle.privacy.keys import encryption_key, public_key

SIGNING_KEYS = [bytes([i]) * 32 for i in range(1, 6)]
ADDRESSES = [Account.from_key(k).address for k in SIGNING_KEYS]
KEYS = [encryption_key(k) for k in SIGNING_KEYS]
NETWORK = [Recipient(a, public_key(k)) for a, k in zip(ADDRESSES[:4], KEYS[:4], strict=True)]
FEATURES = (3, 12, 35, 120, 3500, 0, 1000, 1844, 2, 0, 0)


def test_every_recipient_reads_the_salt_and_features():
    salt = new_salt()
    payload = seal(salt, FEATURES, NETWORK)
    for recipient, key in zip(NETWORK, KEYS, strict=False):
        assert open_envelope(payload, recipient.address, key) == (salt, FEATURES)
    assert recipients_of(payload) == [r.address for r in NETWORK]


def test_the_payload_grows_by_one_wrapped_key_per_node():
    salt = new_salt()
    one, four = seal(salt, FEATURES, NETWORK[:1]), seal(salt, FEATURES, NETWORK)
    assert len(four) - len(one) == 3 * (ADDRESS_BYTES + WRAPPED_KEY_BYTES)


def test_a_node_that_is_not_a_recipient_cannot_read_it():
    payload = seal(new_salt(), FEATURES, NETWORK)
    with pytest.raises(EnvelopeError, match="not sealed to this node"):
        open_envelope(payload, ADDRESSES[4], KEYS[4])


def test_another_nodes_key_does_not_open_a_recipients_copy():
    payload = seal(new_salt(), FEATURES, NETWORK)
    with pytest.raises(EnvelopeError, match="does not decrypt"):
        open_envelope(payload, ADDRESSES[0], KEYS[1])


@pytest.mark.parametrize("where", [2 + ADDRESS_BYTES + 40, -40, -1])
def test_a_tampered_byte_is_refused(where):
    payload = bytearray(seal(new_salt(), FEATURES, NETWORK))
    payload[where] ^= 0x01
    with pytest.raises(EnvelopeError):
        open_envelope(bytes(payload), ADDRESSES[0], KEYS[0])


@pytest.mark.parametrize("payload", [b"", b"\x02\x01", b"\x01\x04" + b"\x00" * 50])
def test_a_malformed_payload_is_refused_with_a_reason(payload):
    with pytest.raises(EnvelopeError, match="version|truncated"):
        open_envelope(payload, ADDRESSES[0], KEYS[0])


@given(st.lists(st.integers(-(2**255), 2**255 - 1), min_size=1, max_size=40))
def test_any_int256_features_round_trip(features):
    salt = new_salt()
    payload = seal(salt, features, NETWORK[:2])
    assert open_envelope(payload, ADDRESSES[1], KEYS[1]) == (salt, tuple(features))


def test_the_commitment_binds_salt_and_every_feature():
    salt = new_salt()
    base = commitment(salt, FEATURES)
    assert commitment(new_salt(), FEATURES) != base
    edited = (FEATURES[0], FEATURES[1], FEATURES[2], FEATURES[3], FEATURES[4] + 1, *FEATURES[5:])
    assert commitment(salt, edited) != base


def test_encryption_keys_are_derived_apart_from_signing_keys():
    assert KEYS[0].secret != SIGNING_KEYS[0]
    assert encryption_key(SIGNING_KEYS[0]).secret == KEYS[0].secret
    assert len(public_key(KEYS[0])) == 33
