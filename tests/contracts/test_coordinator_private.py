"""OracleCoordinator.requestPrivatePrediction (features off chain, their commitment on chain) and the signers'
encryption keys that private inputs are encrypted to."""

import brownie
import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from oracle.types import Request, Status
from tests.attestations import commitment, encrypted_input
from tests.helpers import (
    ARTIFACT_HASH,
    CALLBACK_GAS,
    FEATURES,
    FEE_WEI,
    MODEL_ID,
    after_deadline,
    custom_error,
    hx,
    plain,
    signed_report,
)

SALT = b"\x5a" * 32
COMMITMENT = commitment(SALT, FEATURES)
MAX_ENCRYPTED_INPUT_BYTES = 16 * 1024
REQUEST_ABI = "(bytes32,bytes32,bytes32,address,uint96,uint64,uint32)"


def public_key(seed: int, prefix: int = 0x02) -> bytes:
    return bytes([prefix]) + keccak(seed.to_bytes(32, "big"))


@pytest.fixture(scope="module")
def ciphertext():
    return encrypted_input()


def request_private(consumer, sender, chain, ciphertext, proof=None, inputs=COMMITMENT, ttl_seconds=3_600):
    proof = proof if proof is not None else (sender.address, chain[-1].timestamp + 600, b"\x01" * 65)
    deadline = chain[-1].timestamp + ttl_seconds
    return consumer.privateRequest(
        MODEL_ID, inputs, ciphertext, proof, deadline, CALLBACK_GAS, {"from": sender, "value": FEE_WEI}
    )


def test_private_request_emits_commitment_attestation_and_ciphertext(coordinator, consumer, user, chain, ciphertext):
    expires_at = chain[-1].timestamp + 600
    tx = request_private(consumer, user, chain, ciphertext, (user.address, expires_at, b"\x07" * 65))

    assert "PredictionRequested" not in tx.events
    event = tx.events["PrivatePredictionRequested"]
    request = Request.from_abi(event["request"])
    assert request == Request(
        MODEL_ID, ARTIFACT_HASH, COMMITMENT, consumer.address, FEE_WEI, request.deadline, CALLBACK_GAS
    )
    assert (event["modelId"], event["consumer"], event["subject"]) == (hx(MODEL_ID), consumer.address, user.address)
    assert event["attestationExpiresAt"] == expires_at
    assert event["attestationSignature"] == hx(b"\x07" * 65)
    assert event["encryptedInput"] == hx(ciphertext)
    assert coordinator.commitmentOf(event["requestId"]) == hx(keccak(encode([REQUEST_ABI], [request.as_abi()])))
    assert coordinator.balance() == FEE_WEI


def test_private_request_puts_no_feature_on_chain(consumer, user, chain, ciphertext, web3):
    tx = request_private(consumer, user, chain, ciphertext)
    receipt = web3.eth.get_transaction_receipt(tx.txid)
    logged = b"".join(bytes(log["data"]) for log in receipt["logs"])
    sent = bytes(web3.eth.get_transaction(tx.txid)["input"])
    for feature in FEATURES:
        word = feature.to_bytes(32, "big", signed=True)
        assert word not in logged and word not in sent


def test_private_request_without_attestation_is_accepted(consumer, user, chain, ciphertext):
    tx = request_private(consumer, user, chain, ciphertext, (brownie.ZERO_ADDRESS, 0, b""))
    assert tx.events["PrivatePredictionRequested"]["attestationSignature"] == "0x"


def test_private_request_shares_the_id_sequence(coordinator, consumer, user, chain, ciphertext):
    tx = request_private(consumer, user, chain, ciphertext)
    expected = keccak(encode(["uint256", "address", "uint64"], [chain.id, coordinator.address, 1]))
    assert tx.events["PrivatePredictionRequested"]["requestId"] == hx(expected)
    assert coordinator.requestCount() == 1


def test_private_request_is_fulfilled_over_its_commitment(
    coordinator, consumer, oracle_signers, user, relayer, chain, ciphertext
):
    event = request_private(consumer, user, chain, ciphertext).events["PrivatePredictionRequested"]
    request_id, request = bytes(event["requestId"]), Request.from_abi(event["request"])
    report, signatures = signed_report(oracle_signers[:1], request_id, request, [321])
    tx = coordinator.fulfill(report, signatures, {"from": relayer})
    assert plain(tx.events["PredictionFulfilled"].values()) == [hx(request_id), Status.OK, 321]
    assert consumer.lastValue() == 321


def test_private_request_is_cancelled_after_deadline(coordinator, consumer, user, relayer, chain, ciphertext):
    event = request_private(consumer, user, chain, ciphertext, ttl_seconds=60).events["PrivatePredictionRequested"]
    request = Request.from_abi(event["request"])
    after_deadline(chain, request.deadline)
    tx = coordinator.cancel(event["requestId"], request.as_abi(), {"from": relayer})
    assert "PredictionCancelled" in tx.events
    assert consumer.lastStatus() == Status.EXPIRED


@pytest.mark.parametrize("size", [0, MAX_ENCRYPTED_INPUT_BYTES + 1])
def test_private_request_reverts_if_encrypted_input_empty_or_too_large(coordinator, consumer, user, chain, size):
    with brownie.reverts(
        custom_error(coordinator, "OracleCoordinatorInvalidEncryptedInput", size, MAX_ENCRYPTED_INPUT_BYTES)
    ):
        request_private(consumer, user, chain, b"\x01" * size)


def test_private_request_accepts_largest_encrypted_input(consumer, user, chain):
    tx = request_private(consumer, user, chain, b"\x01" * MAX_ENCRYPTED_INPUT_BYTES)
    assert "PrivatePredictionRequested" in tx.events


def test_private_request_reverts_if_commitment_zero(coordinator, consumer, user, chain, ciphertext):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorZeroHash")):
        request_private(consumer, user, chain, ciphertext, inputs=b"\x00" * 32)


def test_private_request_reverts_if_fee_too_low(coordinator, consumer, user, chain, ciphertext):
    proof = (user.address, 0, b"")
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorFeeTooLow", FEE_WEI, 0)):
        consumer.privateRequest(
            MODEL_ID, COMMITMENT, ciphertext, proof, chain[-1].timestamp + 60, CALLBACK_GAS, {"from": user}
        )


def test_private_request_reverts_if_model_unknown(coordinator, consumer, user, chain, ciphertext):
    other = keccak(text="unknown")
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", other)):
        consumer.privateRequest(
            other,
            COMMITMENT,
            ciphertext,
            (user.address, 0, b""),
            chain[-1].timestamp + 60,
            CALLBACK_GAS,
            {"from": user, "value": FEE_WEI},
        )


def test_private_request_reverts_if_deadline_passed(coordinator, consumer, user, chain, ciphertext):
    with brownie.reverts(revert_pattern="OracleCoordinatorInvalidDeadline: .*"):
        request_private(consumer, user, chain, ciphertext, ttl_seconds=0)


def test_private_request_reverts_when_paused(coordinator, consumer, owner, user, chain, ciphertext):
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        request_private(consumer, user, chain, ciphertext)


# ---------------------------------------------------------------- attestation registry address


def test_set_attestation_registry_emits(coordinator, owner, accounts):
    tx = coordinator.setAttestationRegistry(accounts[7], {"from": owner})
    assert tx.events["AttestationRegistrySet"]["registry"] == accounts[7].address
    assert coordinator.attestationRegistry() == accounts[7].address


def test_attestation_registry_is_unset_by_default(coordinator):
    assert coordinator.attestationRegistry() == brownie.ZERO_ADDRESS


# ---------------------------------------------------------------- encryption keys


def signer_sender(account: Account, accounts):
    """A brownie sender for a test signer key (funded from accounts[0])."""
    sender = accounts.add(bytes(account.key).hex())
    accounts[0].transfer(sender, 10**18)
    return sender


@pytest.mark.parametrize("prefix", [0x02, 0x03])
def test_signer_sets_its_encryption_key(coordinator, signer_accounts, accounts, prefix):
    signer = signer_sender(signer_accounts[0], accounts)
    key = public_key(1, prefix)
    tx = coordinator.setEncryptionKey(key, {"from": signer})
    assert plain(tx.events["EncryptionKeySet"].values()) == [signer.address, hx(key)]
    assert coordinator.encryptionKeyOf(signer) == hx(key)


def test_set_encryption_key_replaces_the_previous_one(coordinator, signer_accounts, accounts):
    signer = signer_sender(signer_accounts[0], accounts)
    coordinator.setEncryptionKey(public_key(1), {"from": signer})
    coordinator.setEncryptionKey(public_key(2), {"from": signer})
    assert coordinator.encryptionKeyOf(signer) == hx(public_key(2))


def test_set_encryption_key_reverts_for_non_signer(coordinator, user):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", user.address)):
        coordinator.setEncryptionKey(public_key(1), {"from": user})


@pytest.mark.parametrize(
    "key",
    [b"", public_key(1)[:32], public_key(1) + b"\x00", public_key(1, 0x04), b"\x04" + b"\x11" * 64],
    ids=["empty", "short", "long", "bad-prefix", "uncompressed"],
)
def test_set_encryption_key_reverts_unless_compressed_secp256k1(coordinator, signer_accounts, accounts, key):
    signer = signer_sender(signer_accounts[0], accounts)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidEncryptionKey", key)):
        coordinator.setEncryptionKey(key, {"from": signer})


def test_encryption_keys_lists_active_signers_with_empty_where_unset(coordinator, owner, signer_accounts, accounts):
    first = signer_sender(signer_accounts[0], accounts)
    coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    coordinator.setEncryptionKey(public_key(1), {"from": first})
    signers, keys = coordinator.encryptionKeys()
    assert list(signers) == [first.address, signer_accounts[1].address]
    assert plain(list(keys)) == [hx(public_key(1)), "0x"]


def key_events(coordinator, tx, web3) -> list[tuple[str, bytes]]:
    """EncryptionKeySet events as web3 decodes them (brownie shows empty bytes as 0x00)."""
    events = web3.eth.contract(address=coordinator.address, abi=coordinator.abi).events.EncryptionKeySet()
    receipt = web3.eth.get_transaction_receipt(tx.txid)
    return [(e.args.signer, bytes(e.args.publicKey)) for e in events.process_receipt(receipt)]


def test_remove_signer_deletes_its_encryption_key(coordinator, owner, signer_accounts, accounts, web3):
    first = signer_sender(signer_accounts[0], accounts)
    second = signer_sender(signer_accounts[1], accounts)
    coordinator.addSigner(second, {"from": owner})
    coordinator.setEncryptionKey(public_key(1), {"from": first})
    coordinator.setEncryptionKey(public_key(2), {"from": second})

    tx = coordinator.removeSigner(first, {"from": owner})

    assert key_events(coordinator, tx, web3) == [(first.address, b"")]
    assert coordinator.encryptionKeyOf(first) == "0x"
    signers, keys = coordinator.encryptionKeys()
    assert (list(signers), plain(list(keys))) == ([second.address], [hx(public_key(2))])
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", first.address)):
        coordinator.setEncryptionKey(public_key(3), {"from": first})
    coordinator.addSigner(first, {"from": owner})
    assert coordinator.encryptionKeyOf(first) == "0x"  # a returning signer publishes a key again


def test_remove_signer_without_key_emits_no_key_event(coordinator, owner, signer_accounts):
    coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    tx = coordinator.removeSigner(signer_accounts[0].address, {"from": owner})
    assert "EncryptionKeySet" not in tx.events
