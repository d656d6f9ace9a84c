"""Push mode end to end on the real coordinator: held-out applicants apply privately, the real credit-risk model
scores the features whose commitment the chain carries, a Python-signed report answers, and each loan is decided as
the policy says."""

import pytest

from oracle.types import Status
from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.in_process_oracle import InProcessOracle
from tests.apps.lending.lending import (
    COLLATERAL_UNIT,
    POLICY,
    PRIVATE_INPUTS,
    LoanStatus,
    answer,
    apply_for_loan,
    loan_of,
)
from tests.attestations import commitment
from tests.helpers import hx


@pytest.fixture
def oracle(coordinator, credit_model, oracle_signers, relayer):
    return InProcessOracle(coordinator, credit_model, oracle_signers[:1], relayer)


@pytest.mark.parametrize("index", range(6))
def test_held_out_applicant_is_decided_as_model_and_policy_say(
    funded_pool, coordinator, oracle_signers, relayer, collateralised, rows, credit_model, index
):
    applicant = rows[index]
    loan_id, request, tx = apply_for_loan(funded_pool, collateralised, applicant.features)
    salt, features = PRIVATE_INPUTS[request.input_hash]  # what a node decrypts from the request
    assert commitment(salt, features) == request.input_hash
    prediction = credit_model.predict([features])[0]
    assert prediction.status == Status.OK
    assert prediction.value == applicant.expected_pd_bps  # the model as trained, scoring what was committed

    fulfil = answer(coordinator, oracle_signers[:1], relayer, loan_id, request, prediction.value)

    approved, apr, ltv = POLICY.terms(prediction.value)
    decided = fulfil.events["LoanDecided"]
    assert decided["modelId"] == hx(CREDIT_RISK)
    assert decided["artifactHash"] == hx(credit_model.artifact_hash)
    assert decided["inputHash"] == hx(commitment(salt, applicant.features))
    assert (decided["pdBps"], decided["approved"], decided["aprBps"], decided["ltvBps"]) == (
        prediction.value,
        approved,
        apr,
        ltv,
    )
    expected_status = LoanStatus.ACTIVE if approved else LoanStatus.REJECTED
    assert loan_of(funded_pool, loan_id)["status"] == expected_status


def test_held_out_rows_cover_both_decisions(rows, credit_model):
    """The parametrised rows above include approvals and rejections, so the test above checks both."""
    pds = [p.value for p in credit_model.predict([r.features for r in rows[:6]])]
    assert any(pd <= POLICY.max_pd_bps for pd in pds)
    assert any(pd > POLICY.max_pd_bps for pd in pds)


def test_out_of_schema_features_get_invalid_input_and_collateral_back(
    funded_pool, collateral, collateralised, rows, oracle
):
    features = list(rows[0].features)
    features[8] = 9  # `home` has codes 0..5
    loan_id, _, _ = apply_for_loan(funded_pool, collateralised, features)

    oracle.settle()

    decided = oracle.transactions[-1].events["LoanDecided"]
    assert (decided["status"], decided["approved"]) == (Status.INVALID_INPUT, False)
    assert loan_of(funded_pool, loan_id)["status"] == LoanStatus.REJECTED
    before = collateral.balanceOf(collateralised)
    funded_pool.closeLoan(loan_id, {"from": collateralised})
    assert collateral.balanceOf(collateralised) == before + COLLATERAL_UNIT


def test_batch_of_answers_decides_every_application(funded_pool, collateralised, rows, credit_model, oracle):
    loan_ids = [apply_for_loan(funded_pool, collateralised, r.features)[0] for r in rows[:8]]

    oracle.settle()

    batch = oracle.transactions[-1]
    assert "CallbackFailed" not in batch.events
    assert len(batch.events["LoanDecided"]) == 8
    assert oracle.pending() == []
    for loan_id, row in zip(loan_ids, rows[:8], strict=True):
        loan = loan_of(funded_pool, loan_id)
        approved = row.expected_pd_bps <= POLICY.max_pd_bps
        assert loan["status"] == (LoanStatus.ACTIVE if approved else LoanStatus.REJECTED)
        assert loan["pdBps"] == row.expected_pd_bps
