"""AttestationRegistry: the attesters each model trusts, and the check of their EIP-712 attestations."""

import brownie
import pytest
from eth_account import Account
from eth_utils import keccak

from oracle.chain.signer import digest
from tests.attestations import BUREAU_KEY, OTHER_PROVIDER_KEY, Attester, attestation_abi
from tests.helpers import MODEL_ID, after_deadline, custom_error, hx

INPUT_HASH = keccak(text="committed features")
OTHER_MODEL = keccak(text="delivery-delay")


@pytest.fixture(scope="module")
def registry(AttestationRegistry, owner):
    return AttestationRegistry.deploy(owner, {"from": owner})


@pytest.fixture(scope="module")
def bureau(registry, owner, chain):
    attester = Attester.of(BUREAU_KEY, chain.id, registry.address)
    registry.setAttester(MODEL_ID, attester.address, True, {"from": owner})
    return attester


@pytest.fixture
def attested(bureau, user, chain):
    """(attestation as ABI tuple, signature) by the trusted bureau, for `user`, valid for an hour."""
    attestation = attestation_abi(user.address, MODEL_ID, INPUT_HASH, chain[-1].timestamp + 3_600)
    return attestation, bureau.sign(*attestation)


def test_digest_matches_eip712_typed_data(registry, bureau, user):
    attestation = attestation_abi(user.address, MODEL_ID, INPUT_HASH, 1_700_000_000)
    expected = digest(bureau.message(*attestation))
    assert registry.attestationDigest(attestation) == hx(expected)


def test_domain_is_oracle_attestations_v1(registry, chain):
    _, name, version, chain_id, verifying_contract, _, _ = registry.eip712Domain()
    assert (name, version, chain_id, verifying_contract) == ("OracleAttestations", "1", chain.id, registry.address)


def test_verify_returns_trusted_attester(registry, bureau, attested):
    assert registry.verify(*attested) == bureau.address


def test_verify_reverts_when_expired(registry, attested, chain):
    attestation, signature = attested
    after_deadline(chain, attestation[3])
    with brownie.reverts(custom_error(registry, "AttestationRegistryExpired", attestation[3])):
        registry.verify(attestation, signature)


@pytest.mark.parametrize(
    "signature", [b"", b"\x01" * 64, b"\x00" * 65, b"\x01" * 66], ids=["empty", "64", "zero", "66"]
)
def test_verify_reverts_on_invalid_signature(registry, attested, signature):
    with brownie.reverts(custom_error(registry, "AttestationRegistryInvalidSignature")):
        registry.verify(attested[0], signature)


def test_verify_reverts_on_high_s_copy(registry, attested):
    attestation, signature = attested
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(signature[32:64], "big")
    flipped = signature[:32] + (order - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    with brownie.reverts(custom_error(registry, "AttestationRegistryInvalidSignature")):
        registry.verify(attestation, flipped)


def test_verify_reverts_for_untrusted_attester(registry, user, chain):
    stranger = Attester.of(OTHER_PROVIDER_KEY, chain.id, registry.address)
    attestation = attestation_abi(user.address, MODEL_ID, INPUT_HASH, chain[-1].timestamp + 600)
    with brownie.reverts(custom_error(registry, "AttestationRegistryUntrustedAttester", MODEL_ID, stranger.address)):
        registry.verify(attestation, stranger.sign(*attestation))


@pytest.mark.parametrize(
    "field, value",
    [(0, "0x" + "11" * 20), (1, OTHER_MODEL), (2, keccak(text="edited features")), (3, 2**63)],
    ids=["subject", "model", "input", "expiry"],
)
def test_verify_reverts_if_any_field_changed(registry, attested, field, value):
    """Another subject, model, input or expiry recovers another key, which no model trusts."""
    attestation, signature = attested
    changed = list(attestation)
    changed[field] = value
    recovered = Account._recover_hash(bytes.fromhex(str(registry.attestationDigest(changed))[2:]), signature=signature)
    with brownie.reverts(custom_error(registry, "AttestationRegistryUntrustedAttester", changed[1], recovered)):
        registry.verify(changed, signature)


def test_verify_reverts_for_attester_trusted_for_another_model(registry, bureau, user, chain):
    attestation = attestation_abi(user.address, OTHER_MODEL, INPUT_HASH, chain[-1].timestamp + 600)
    with brownie.reverts(custom_error(registry, "AttestationRegistryUntrustedAttester", OTHER_MODEL, bureau.address)):
        registry.verify(attestation, bureau.sign(*attestation))


def test_verify_reverts_for_another_registry(AttestationRegistry, registry, bureau, owner, attested):
    other = AttestationRegistry.deploy(owner, {"from": owner})
    other.setAttester(MODEL_ID, bureau.address, True, {"from": owner})
    with brownie.reverts(revert_pattern="AttestationRegistryUntrustedAttester: .*"):
        other.verify(*attested)


def test_set_attester_emits_and_can_be_revoked(registry, bureau, owner, attested):
    tx = registry.setAttester(MODEL_ID, bureau.address, False, {"from": owner})
    assert tx.events["AttesterSet"].values() == [hx(MODEL_ID), bureau.address, False]
    assert not registry.isTrustedAttester(MODEL_ID, bureau.address)
    with brownie.reverts(custom_error(registry, "AttestationRegistryUntrustedAttester", MODEL_ID, bureau.address)):
        registry.verify(*attested)


def test_set_attester_reverts_on_zero_address(registry, owner):
    with brownie.reverts(custom_error(registry, "AttestationRegistryZeroAddress")):
        registry.setAttester(MODEL_ID, brownie.ZERO_ADDRESS, True, {"from": owner})


def test_set_attestation_required_emits(registry, owner):
    assert not registry.isAttestationRequired(MODEL_ID)
    tx = registry.setAttestationRequired(MODEL_ID, True, {"from": owner})
    assert tx.events["AttestationRequirementSet"].values() == [hx(MODEL_ID), True]
    assert registry.isAttestationRequired(MODEL_ID)
    assert not registry.isAttestationRequired(OTHER_MODEL)


@pytest.mark.parametrize(
    "call",
    [
        lambda r, a: r.setAttester(MODEL_ID, a, True, {"from": a}),
        lambda r, a: r.setAttestationRequired(MODEL_ID, True, {"from": a}),
    ],
)
def test_owner_functions_revert_for_others(registry, user, call):
    with brownie.reverts(custom_error(registry, "OwnableUnauthorizedAccount", user.address)):
        call(registry, user)
