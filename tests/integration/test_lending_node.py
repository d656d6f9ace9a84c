"""The lending scenario answered by the real node: ten held-out applicants approved or rejected as the model
and the pool's policy say, one loan repaid, one liquidated."""

import io

from rich.console import Console

from scripts import lending_scenario
from scripts.deployment import deploy_attestation_registry
from scripts.node_process import wait_for
from scripts.oracle_answers import wait_for_answers
from tests.apps.lending.lending import LoanStatus, loan_of


def test_held_out_applicants_are_decided_as_model_and_policy_say(
    start_node, served_coordinator, credit_model, held_out_rows, chain, owner, AttestationRegistry, signer_accounts
):
    deploy_attestation_registry(owner, served_coordinator)
    node = start_node()
    # the node publishes its encryption key when it starts; the applicants seal their features to it
    wait_for(lambda: served_coordinator.encryptionKeyOf(signer_accounts[0].address) != "0x", 60, "the key", node)
    start = chain.height + 1
    output = io.StringIO()

    scenario = lending_scenario.run(
        served_coordinator,
        lambda: wait_for_answers(served_coordinator, start, timeout=60, node=node),
        Console(file=output, width=200),
        deployer=owner,
    )

    applicants = lending_scenario.held_out_applicants(lending_scenario.APPLICANTS)
    predictions = credit_model.predict([a.features for a in applicants])
    max_pd = lending_scenario.POLICY[0]
    decided = []
    committed = [expected for _, expected in held_out_rows[: len(applicants)]]
    for applicant, prediction, expected in zip(applicants, predictions, committed, strict=True):
        loan = loan_of(scenario.pool, scenario.loans[applicant.row_id])
        assert loan["pdBps"] == prediction.value == expected
        approved = prediction.value <= max_pd
        assert (loan["status"] != LoanStatus.REJECTED) == approved
        decided.append(approved)
    assert 2 <= sum(decided) < len(decided)
    assert scenario.repayment["interest"] > 0
    assert scenario.liquidation["seized_value"] > scenario.liquidation["repaid"]
    assert "Credit decisions on chain" in output.getvalue()
    assert scenario.refused_edit == "AttestationRegistryUntrustedAttester"


def feature_words(features) -> bytes:
    """The features as consecutive int256 words: how any ABI encoding of them (calldata, event data) holds them."""
    return b"".join(int(f).to_bytes(32, "big", signed=True) for f in features)


def test_no_applicants_feature_values_reach_the_chain(
    start_node, served_coordinator, chain, owner, AttestationRegistry, signer_accounts, web3
):
    """Every transaction and log of the lending scenario, scanned for the applicants' features."""
    deploy_attestation_registry(owner, served_coordinator)
    node = start_node()
    wait_for(lambda: served_coordinator.encryptionKeyOf(signer_accounts[0].address) != "0x", 60, "the key", node)
    start = chain.height + 1
    lending_scenario.run(
        served_coordinator,
        lambda: wait_for_answers(served_coordinator, start, timeout=60, node=node),
        Console(file=io.StringIO(), width=200),
        deployer=owner,
    )
    applicants = lending_scenario.held_out_applicants(lending_scenario.APPLICANTS + 1)
    secrets = [feature_words(a.features) for a in applicants]
    scanned = 0
    for number in range(start, chain.height + 1):
        block = web3.eth.get_block(number, full_transactions=True)
        for tx in block.transactions:
            receipt = web3.eth.get_transaction_receipt(tx.hash)
            blobs = [bytes(tx.input)] + [bytes(log.data) + b"".join(log.topics) for log in receipt.logs]
            for blob in blobs:
                scanned += 1
                assert not any(secret in blob for secret in secrets), f"features in tx 0x{tx.hash.hex()}"
    assert scanned > 50
