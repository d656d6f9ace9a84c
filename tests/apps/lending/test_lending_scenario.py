"""scripts/lending_scenario.py end to end, with the oracle answered in process by the real model."""

import pytest
from rich.console import Console

from oracle.privacy.keys import encryption_key, public_key
from scripts import lending_scenario
from tests.apps.lending.in_process_oracle import InProcessOracle
from tests.apps.lending.lending import LoanStatus, loan_of
from tests.chain_fixtures import SIGNER_KEYS


@pytest.fixture(scope="module")
def outcome(coordinator, attestation_registry, credit_model, oracle_signers, relayer, owner, accounts):
    """Runs the scenario once for the module (each test then reverts to this state), on a coordinator with an
    AttestationRegistry as scripts.deployment deploys it, and the signer's encryption key published as a node
    publishes it: the in-process oracle opens the applicants' sealed features with it."""
    signer = accounts.add(SIGNER_KEYS[0].hex())
    owner.transfer(signer, 10**17)
    key = encryption_key(SIGNER_KEYS[0])
    coordinator.setEncryptionKey(public_key(key), {"from": signer})
    oracle = InProcessOracle(coordinator, credit_model, oracle_signers[:1], relayer, keys={signer.address: key})
    console = Console(record=True, width=200)
    scenario = lending_scenario.run(coordinator, oracle.settle, console, deployer=owner)
    return scenario, console.export_text(), oracle


def test_scenario_decides_ten_held_out_applicants_as_the_model_says(outcome, credit_model):
    scenario, text, oracle = outcome
    applicants = lending_scenario.held_out_applicants(10)
    predictions = credit_model.predict([a.features for a in applicants])
    max_pd = lending_scenario.POLICY[0]

    assert len(oracle.transactions) == 1  # settle answered all ten in one batch
    assert "CallbackFailed" not in oracle.transactions[0].events
    assert "Credit decisions on chain" in text
    approved = []
    for applicant, prediction in zip(applicants, predictions, strict=True):
        loan = loan_of(scenario.pool, scenario.loans[applicant.row_id])
        assert loan["pdBps"] == prediction.value
        assert str(applicant.row_id) in text
        if prediction.value <= max_pd:
            approved.append(applicant.row_id)
            assert loan["status"] in (LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.LIQUIDATED)
        else:
            assert loan["status"] == LoanStatus.REJECTED
    assert 2 <= len(approved) < 10
    assert loan_of(scenario.pool, scenario.loans[approved[0]])["status"] == LoanStatus.REPAID
    assert loan_of(scenario.pool, scenario.loans[approved[1]])["status"] == LoanStatus.LIQUIDATED


def test_scenario_repays_one_loan_with_interest_and_liquidates_another(outcome):
    scenario, text, _ = outcome
    repayment, liquidation = scenario.repayment, scenario.liquidation

    assert repayment["repaid"] == repayment["drawn"] + repayment["interest"]
    assert repayment["interest"] > 0
    assert repayment["collateral_returned"] > 0
    assert liquidation["bad_debt"] == 0
    assert liquidation["repaid"] > liquidation["drawn"]  # with a moment's interest
    assert liquidation["seized_value"] > liquidation["repaid"]  # the liquidator's bonus
    assert liquidation["returned"] > 0
    assert scenario.pool.totalDebt() == 0
    assert scenario.pool.totalAssets() == 1_000_000 * lending_scenario.USD + repayment["interest"] + (
        liquidation["repaid"] - liquidation["drawn"]
    )
    assert "repaid" in text and "liquidator" in text
    assert set(scenario.gas) == {"apply", "draw", "repay (full)", "liquidate"}
