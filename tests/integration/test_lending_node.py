"""The lending scenario answered by the real node: ten held-out applicants approved or rejected as the model
and the pool's policy say, one loan repaid, one liquidated."""

import io

from rich.console import Console

from scripts import lending_scenario
from scripts.oracle_answers import wait_for_answers
from tests.apps.lending.lending import LoanStatus, loan_of


def test_held_out_applicants_are_decided_as_model_and_policy_say(
    start_node, served_coordinator, credit_model, held_out_rows, chain, owner
):
    node = start_node()
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
