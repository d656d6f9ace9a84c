"""Attestations signed and recovered in Python (the contract's twin is pinned in tests/contracts)."""

import pytest
from eth_account import Account

from oracle.privacy.attestation import (
    Attestation,
    AttestationDomain,
    AttestationError,
    attester_of,
    sign_attestation,
)

BUREAU = Account.from_key(b"\x07" * 32)
DOMAIN = AttestationDomain(31337, "0x" + "12" * 20)
ATTESTATION = Attestation("0x" + "ab" * 20, b"\x01" * 32, b"\x02" * 32, 2_000_000_000)


def test_the_signer_is_recovered():
    signature = sign_attestation(BUREAU, DOMAIN, ATTESTATION)
    assert len(signature) == 65
    assert attester_of(DOMAIN, ATTESTATION, signature) == BUREAU.address


@pytest.mark.parametrize(
    "changed",
    [
        Attestation("0x" + "cd" * 20, b"\x01" * 32, b"\x02" * 32, 2_000_000_000),
        Attestation("0x" + "ab" * 20, b"\x03" * 32, b"\x02" * 32, 2_000_000_000),
        Attestation("0x" + "ab" * 20, b"\x01" * 32, b"\x04" * 32, 2_000_000_000),
        Attestation("0x" + "ab" * 20, b"\x01" * 32, b"\x02" * 32, 2_000_000_001),
    ],
)
def test_any_changed_field_recovers_another_address(changed):
    signature = sign_attestation(BUREAU, DOMAIN, ATTESTATION)
    assert attester_of(DOMAIN, changed, signature) != BUREAU.address


def test_another_registry_or_chain_recovers_another_address():
    signature = sign_attestation(BUREAU, DOMAIN, ATTESTATION)
    assert attester_of(AttestationDomain(1, DOMAIN.registry), ATTESTATION, signature) != BUREAU.address
    assert attester_of(AttestationDomain(31337, "0x" + "34" * 20), ATTESTATION, signature) != BUREAU.address


def test_a_signature_of_the_wrong_length_is_refused():
    with pytest.raises(AttestationError, match="65 bytes"):
        attester_of(DOMAIN, ATTESTATION, b"\x01" * 64)
