"""Reports from POST /v1/predictions are accepted on anvil by the coordinator and by a consumer, as returned."""

import brownie
import pytest

from tests.helpers import after_deadline, custom_error, plain


@pytest.fixture(scope="module")
def pull_consumer(ConsumerMock, served_coordinator, owner):
    return ConsumerMock.deploy(served_coordinator, {"from": owner})


def predict(client, keys, features, subject, consumer=None, **extra):
    response = client.post(
        "/v1/predictions",
        json={
            "model": "credit-risk",
            "features": list(features),
            "subject": subject.address,
            "consumer": (consumer or subject).address,
            **extra,
        },
        headers=keys.predict,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_coordinator_verifies_the_report_as_returned(client, keys, held_out_rows, served_coordinator, user):
    features, expected_pd = held_out_rows[3]
    abi = predict(client, keys, features, user)["abi"]
    assert plain(served_coordinator.verifyReport(abi["report"], abi["signatures"])) == [0, expected_pd]


def test_coordinator_verifies_each_report_of_a_batch(client, keys, held_out_rows, served_coordinator, user):
    rows = held_out_rows[10:14]
    items = [
        {"model": "credit-risk", "features": f, "subject": user.address, "consumer": user.address} for f, _ in rows
    ]
    response = client.post("/v1/predictions/batch", json={"items": items}, headers=keys.predict)
    verified = [
        plain(served_coordinator.verifyReport(i["abi"]["report"], i["abi"]["signatures"]))
        for i in response.json()["items"]
    ]
    assert verified == [[0, expected] for _, expected in rows]


@pytest.mark.usefixtures("fn_isolation")
def test_consumer_acts_on_the_report_once_for_its_subject(client, keys, held_out_rows, pull_consumer, user, relayer):
    features, expected_pd = held_out_rows[4]
    abi = predict(client, keys, features, user, consumer=pull_consumer)["abi"]
    with brownie.reverts(custom_error(pull_consumer, "OracleConsumerWrongSubject", relayer.address, user.address)):
        pull_consumer.consumePullReport(abi["report"], abi["signatures"], {"from": relayer})
    pull_consumer.consumePullReport(abi["report"], abi["signatures"], {"from": user})
    assert (pull_consumer.lastStatus(), pull_consumer.lastValue()) == (0, expected_pd)
    with brownie.reverts(revert_pattern="OracleConsumerReportAlreadyUsed: .*"):
        pull_consumer.consumePullReport(abi["report"], abi["signatures"], {"from": user})


@pytest.mark.usefixtures("fn_isolation")
def test_report_expires_on_chain_at_valid_until(client, keys, held_out_rows, served_coordinator, user, chain):
    prediction = predict(client, keys, held_out_rows[5][0], user, valid_for_seconds=60)
    abi = prediction["abi"]
    served_coordinator.verifyReport(abi["report"], abi["signatures"])
    after_deadline(chain, prediction["valid_until"])
    with brownie.reverts(custom_error(served_coordinator, "OracleCoordinatorReportExpired", prediction["valid_until"])):
        served_coordinator.verifyReport(abi["report"], abi["signatures"])


def test_calldata_answers_an_eth_call_to_the_coordinator(client, keys, held_out_rows, web3, served_coordinator, user):
    features, expected_pd = held_out_rows[6]
    abi = predict(client, keys, features, user)["abi"]
    answer = web3.eth.call({"to": abi["coordinator"], "data": abi["calldata"]})
    assert int.from_bytes(answer[:32], "big") == 0 and int.from_bytes(answer[32:64], "big") == expected_pd
