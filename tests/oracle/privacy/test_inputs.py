"""InputResolver: a node opens a private request, checks commitment and attestation, or says why not."""

from dataclasses import dataclass, field

import pytest
from eth_account import Account

from oracle.privacy.attestation import Attestation, AttestationDomain, sign_attestation
from oracle.privacy.commitment import commitment, new_salt
from oracle.privacy.envelope import Recipient, seal
from oracle.privacy.inputs import InputResolver, PrivateInput
from oracle.privacy.keys import encryption_key, public_key
from oracle.types import Request

NODE_KEY = b"\x05" * 32
NODE = Account.from_key(NODE_KEY).address
OTHER_NODE_KEY = b"\x06" * 32
BUREAU, STRANGER = Account.from_key(b"\x07" * 32), Account.from_key(b"\x08" * 32)
APPLICANT = Account.from_key(b"\x09" * 32).address
MODEL = b"\x01" * 32
FEATURES = (3, 12, 35, 120, 3500, 0, 1000, 1844, 2, 0, 0)
NOW = 1_900_000_000


@dataclass
class Policy:
    domain: AttestationDomain = field(default_factory=lambda: AttestationDomain(31337, "0x" + "12" * 20))
    required: bool = True
    trusted: tuple = (BUREAU.address,)

    def is_required(self, model_id):
        return self.required

    def is_trusted(self, model_id, attester):
        return attester in self.trusted


def private_request(
    features=FEATURES,
    salt=None,
    attester=BUREAU,
    subject=APPLICANT,
    expires=NOW + 600,
    attested_features=None,
    recipients=None,
):
    salt = salt or new_salt()
    input_hash = commitment(salt, features)
    attested_hash = commitment(salt, attested_features) if attested_features else input_hash
    policy = Policy()
    signature = (
        sign_attestation(attester, policy.domain, Attestation(subject, MODEL, attested_hash, expires))
        if attester
        else b""
    )
    recipients = recipients or [Recipient(NODE, public_key(encryption_key(NODE_KEY)))]
    request = Request(MODEL, b"\x02" * 32, input_hash, "0x" + "44" * 20, 0, NOW + 3600, 100_000)
    return request, PrivateInput(subject, expires, signature, seal(salt, features, recipients))


@pytest.fixture
def resolver():
    return InputResolver(NODE, encryption_key(NODE_KEY), Policy(), lambda: NOW)


def test_an_attested_private_request_resolves_to_its_features(resolver):
    request, private = private_request()
    assert resolver.resolve(request, (), private).features == FEATURES


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"attester": None}, "requires one and the request carries none"),
        ({"attester": STRANGER}, "not a trusted attester"),
        ({"expires": NOW - 1}, "expired"),
        ({"attested_features": (*FEATURES[:4], 99_999, *FEATURES[5:])}, "not a trusted attester"),
    ],
)
def test_an_attestation_that_does_not_hold_is_invalid_input_with_the_reason(resolver, kwargs, reason):
    request, private = private_request(**kwargs)
    resolved = resolver.resolve(request, (), private)
    assert resolved.features is None and reason in resolved.reason


def test_an_attestation_for_another_subject_does_not_hold(resolver):
    request, private = private_request()
    moved = PrivateInput(
        "0x" + "99" * 20, private.attestation_expires_at, private.attestation_signature, private.encrypted_input
    )
    assert "not a trusted attester" in resolver.resolve(request, (), moved).reason


def test_a_payload_whose_features_differ_from_the_commitment_is_refused(resolver):
    request, _ = private_request()
    _, other = private_request(features=(*FEATURES[:4], 1, *FEATURES[5:]))
    assert "do not match the request's commitment" in resolver.resolve(request, (), other).reason


def test_a_payload_sealed_to_other_nodes_is_refused(resolver):
    request, private = private_request(
        recipients=[Recipient(Account.from_key(OTHER_NODE_KEY).address, public_key(encryption_key(OTHER_NODE_KEY)))]
    )
    assert "not sealed to this node" in resolver.resolve(request, (), private).reason


def test_a_tampered_ciphertext_is_refused(resolver):
    request, private = private_request()
    tampered = bytearray(private.encrypted_input)
    tampered[-30] ^= 0xFF
    altered = PrivateInput(
        private.subject, private.attestation_expires_at, private.attestation_signature, bytes(tampered)
    )
    assert "altered" in resolver.resolve(request, (), altered).reason


def test_a_public_request_for_a_model_that_requires_attestation_is_refused(resolver):
    request = Request(MODEL, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, 0, NOW + 3600, 100_000)
    assert "requires attested private inputs" in resolver.resolve(request, FEATURES, None).reason


def test_a_public_request_resolves_when_no_attestation_is_required():
    resolver = InputResolver(NODE, encryption_key(NODE_KEY), Policy(required=False), lambda: NOW)
    request = Request(MODEL, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, 0, NOW + 3600, 100_000)
    assert resolver.resolve(request, FEATURES, None).features == FEATURES
