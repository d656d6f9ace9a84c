"""LendingPool requires a trusted data provider's attestation of the applicant's features (by their commitment) in
both paths: missing, expired, for another subject or model, from an untrusted provider, or over other features, the
application is refused; pull reports are bound to this pool and used once whatever signatures they carry."""

from dataclasses import replace

import brownie
import pytest
from eth_abi import encode
from eth_utils import keccak

from oracle.chain.signer import sign_pull_report
from oracle.types import PullReport, Status
from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.lending import (
    COLLATERAL_UNIT,
    USD,
    apply_for_loan,
    attest,
    attested,
)
from tests.attestations import OTHER_PROVIDER_KEY, Attester, commitment, encrypted_input
from tests.helpers import FEE_WEI, after_deadline, custom_error, flat_pricing

OTHER_MODEL = keccak(text="delivery-delay")


@pytest.fixture
def features(rows):
    return rows[1].features


def apply_with(pool, borrower, committed, expires_at, signature):
    return pool.applyForLoan(
        COLLATERAL_UNIT,
        1_000 * USD,
        committed,
        encrypted_input(),
        expires_at,
        signature,
        {"from": borrower, "value": FEE_WEI},
    )


def recovered(registry, borrower, committed, expires_at, signature) -> str:
    """Who a signature over another attestation recovers to: a key nobody trusts."""
    from eth_account import Account

    digest = registry.attestationDigest((str(borrower), CREDIT_RISK, committed, expires_at))
    return Account._recover_hash(bytes.fromhex(str(digest)[2:]), signature=signature)


# ---------------------------------------------------------------- push: applyForLoan


def test_apply_with_attestation_records_the_attester(pool, collateralised, features, bureau):
    loan_id, _, tx = apply_for_loan(pool, collateralised, features)
    assert tx.events["LoanApplied"]["attester"] == bureau.address
    assert pool.loanOf(loan_id)[-1] == bureau.address


def test_apply_sends_no_feature_to_the_chain(pool, collateralised, features, web3):
    _, _, tx = apply_for_loan(pool, collateralised, features)
    receipt = web3.eth.get_transaction_receipt(tx.txid)
    logged = b"".join(bytes(log["data"]) for log in receipt["logs"])
    sent = bytes(web3.eth.get_transaction(tx.txid)["input"])
    distinctive = [f for f in features if abs(f) >= 1_000]  # 0, 1, small codes occur in any calldata
    assert distinctive
    for feature in distinctive:
        word = feature.to_bytes(32, "big", signed=True)
        assert word not in sent and word not in logged


def test_apply_carries_the_attestation_to_the_nodes(pool, collateralised, features):
    application = attested(pool, collateralised, features)
    _, _, tx = apply_for_loan(pool, collateralised, features, application=application)
    event = tx.events["PrivatePredictionRequested"]
    assert (event["subject"], event["attestationExpiresAt"]) == (collateralised.address, application.expires_at)
    assert bytes(event["attestationSignature"]) == application.signature
    assert bytes(event["encryptedInput"]) == application.encrypted_input


@pytest.mark.parametrize("signature", [b"", b"\x01" * 64, b"\x00" * 65], ids=["missing", "short", "zero"])
def test_apply_reverts_without_valid_attestation_signature(
    pool, attestation_registry, collateralised, features, chain, signature
):
    committed = commitment(b"\x01" * 32, features)
    with brownie.reverts(custom_error(attestation_registry, "AttestationRegistryInvalidSignature")):
        apply_with(pool, collateralised, committed, chain[-1].timestamp + 600, signature)


def test_apply_reverts_if_attestation_expired(pool, attestation_registry, collateralised, features, chain):
    application = attested(pool, collateralised, features, ttl_seconds=60)
    after_deadline(chain, application.expires_at)
    with brownie.reverts(custom_error(attestation_registry, "AttestationRegistryExpired", application.expires_at)):
        apply_for_loan(pool, collateralised, features, application=application)


def test_apply_reverts_if_attested_for_another_subject(pool, attestation_registry, collateralised, user, features):
    application = attested(pool, collateralised, features, subject=user.address)
    signer = recovered(
        attestation_registry, collateralised, application.commitment, application.expires_at, application.signature
    )
    with brownie.reverts(
        custom_error(attestation_registry, "AttestationRegistryUntrustedAttester", CREDIT_RISK, signer)
    ):
        apply_for_loan(pool, collateralised, features, application=application)


def test_apply_reverts_if_attested_for_another_model(pool, attestation_registry, collateralised, features):
    application = attested(pool, collateralised, features, model_id=OTHER_MODEL)
    with brownie.reverts(revert_pattern="AttestationRegistryUntrustedAttester: .*"):
        apply_for_loan(pool, collateralised, features, application=application)


def test_apply_reverts_if_attester_untrusted(pool, attestation_registry, collateralised, features, chain):
    application = attested(pool, collateralised, features, attester_key=OTHER_PROVIDER_KEY)
    stranger = Attester.of(OTHER_PROVIDER_KEY, chain.id, attestation_registry.address).address
    with brownie.reverts(
        custom_error(attestation_registry, "AttestationRegistryUntrustedAttester", CREDIT_RISK, stranger)
    ):
        apply_for_loan(pool, collateralised, features, application=application)


def test_apply_reverts_if_attester_revoked(pool, attestation_registry, bureau, owner, collateralised, features):
    attestation_registry.setAttester(CREDIT_RISK, bureau.address, False, {"from": owner})
    with brownie.reverts(
        custom_error(attestation_registry, "AttestationRegistryUntrustedAttester", CREDIT_RISK, bureau.address)
    ):
        apply_for_loan(pool, collateralised, features)


def test_apply_reverts_if_an_attested_feature_is_edited(pool, attestation_registry, collateralised, features):
    """The applicant raises their income after the bureau attested it: another commitment, no attestation."""
    application = attested(pool, collateralised, features)
    edited = list(features)
    edited[0] = edited[0] * 3
    edited_commitment = commitment(application.salt, edited)
    signer = recovered(
        attestation_registry, collateralised, edited_commitment, application.expires_at, application.signature
    )
    with brownie.reverts(
        custom_error(attestation_registry, "AttestationRegistryUntrustedAttester", CREDIT_RISK, signer)
    ):
        apply_with(pool, collateralised, edited_commitment, application.expires_at, application.signature)


def test_apply_reverts_without_attestation_registry(
    OracleCoordinator, LendingPool, stablecoin, collateral, feed, owner, signer_accounts, credit_model, collateralised
):
    from tests.apps.lending.lending import POLICY, SETTINGS

    bare = OracleCoordinator.deploy(owner, [signer_accounts[0].address], 1, {"from": owner})
    bare.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, flat_pricing(FEE_WEI), {"from": owner}
    )
    pool = LendingPool.deploy(
        stablecoin, collateral, feed, bare, CREDIT_RISK, POLICY.as_abi(), SETTINGS.as_abi(), owner, {"from": owner}
    )
    with brownie.reverts(custom_error(pool, "OracleConsumerNoAttestationRegistry")):
        apply_with(pool, collateralised, b"\x01" * 32, 2**40, b"\x01" * 65)


# ---------------------------------------------------------------- pull: borrowWithReport


@pytest.fixture
def report(funded_pool, collateralised, features, credit_model, chain):
    """A report of the applicant's PD over the commitment the bureau attested, for the borrower and this pool."""
    application = attested(funded_pool, collateralised, features)
    pd_bps = credit_model.predict([features])[0].value
    return PullReport(
        subject=collateralised.address,
        consumer=funded_pool.address,
        valid_until=chain[-1].timestamp + 300,
        model_id=CREDIT_RISK,
        artifact_hash=credit_model.artifact_hash,
        input_hash=application.commitment,
        status=Status.OK,
        values=(pd_bps,),
    )


def borrow(pool, report, signers, borrower, attestation):
    expires_at, signature = attestation
    return pool.borrowWithReport(
        report.as_abi(),
        sign_pull_report(signers, report),
        COLLATERAL_UNIT,
        1_000 * USD,
        0,
        expires_at,
        signature,
        {"from": borrower},
    )


def test_borrow_with_attested_report_records_the_attester(funded_pool, report, oracle_signers, collateralised, bureau):
    tx = borrow(
        funded_pool, report, oracle_signers[:1], collateralised, attest(funded_pool, collateralised, report.input_hash)
    )
    assert tx.events["LoanDecided"]["attester"] == bureau.address


def test_borrow_reverts_without_attestation(funded_pool, attestation_registry, report, oracle_signers, collateralised):
    with brownie.reverts(custom_error(attestation_registry, "AttestationRegistryInvalidSignature")):
        borrow(funded_pool, report, oracle_signers[:1], collateralised, (2**40, b""))


def test_borrow_reverts_if_attestation_expired(
    funded_pool, attestation_registry, report, oracle_signers, collateralised, chain
):
    attestation = attest(funded_pool, collateralised, report.input_hash, ttl_seconds=10)
    after_deadline(chain, attestation[0])
    with brownie.reverts(custom_error(attestation_registry, "AttestationRegistryExpired", attestation[0])):
        borrow(funded_pool, report, oracle_signers[:1], collateralised, attestation)


def test_borrow_reverts_if_attester_untrusted(
    funded_pool, attestation_registry, report, oracle_signers, collateralised, chain
):
    attestation = attest(funded_pool, collateralised, report.input_hash, attester_key=OTHER_PROVIDER_KEY)
    stranger = Attester.of(OTHER_PROVIDER_KEY, chain.id, attestation_registry.address).address
    with brownie.reverts(
        custom_error(attestation_registry, "AttestationRegistryUntrustedAttester", CREDIT_RISK, stranger)
    ):
        borrow(funded_pool, report, oracle_signers[:1], collateralised, attestation)


def test_borrow_reverts_if_report_is_over_edited_features(
    funded_pool, attestation_registry, report, oracle_signers, collateralised, features
):
    """The attestation is of the real features; the report is over edited ones (a fresh commitment)."""
    attestation = attest(funded_pool, collateralised, report.input_hash)
    edited = replace(report, input_hash=commitment(b"\x02" * 32, [f * 2 for f in features]))
    with brownie.reverts(revert_pattern="AttestationRegistryUntrustedAttester: .*"):
        borrow(funded_pool, edited, oracle_signers[:1], collateralised, attestation)


def test_borrow_reverts_for_report_made_for_another_consumer(
    funded_pool, report, oracle_signers, collateralised, accounts
):
    elsewhere = replace(report, consumer=accounts[8].address)
    attestation = attest(funded_pool, collateralised, report.input_hash)
    with brownie.reverts(
        custom_error(funded_pool, "OracleConsumerWrongConsumer", funded_pool.address, accounts[8].address)
    ):
        borrow(funded_pool, elsewhere, oracle_signers[:1], collateralised, attestation)


def test_borrow_reverts_for_same_report_with_another_signature_subset(
    funded_pool, coordinator, report, oracle_signers, owner, collateralised
):
    for signer in oracle_signers[1:4]:
        coordinator.addSigner(signer.address, {"from": owner})
    coordinator.setThreshold(3, {"from": owner})
    attestation = attest(funded_pool, collateralised, report.input_hash)
    pd_bps = report.values[0]
    first = replace(report, values=(pd_bps, pd_bps, pd_bps))
    borrow(funded_pool, first, oracle_signers[:3], collateralised, attestation)

    # Signers 1..3 instead of 0..2, one value moved: the same answer, so the same key.
    again = replace(report, values=(pd_bps, pd_bps, pd_bps + 1))
    key = keccak(
        encode(
            ["address", "address", "uint64", "bytes32", "bytes32", "bytes32", "uint8"],
            list(report.as_abi()[:-1]),
        )
    )
    with brownie.reverts(custom_error(funded_pool, "OracleConsumerReportAlreadyUsed", key)):
        borrow(funded_pool, again, oracle_signers[1:4], collateralised, attestation)
