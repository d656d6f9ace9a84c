"""A 4-node network with threshold 3 (f = 1), every node a real `oracle node run` process with its own key,
store and API: each request is answered once, with three signatures and the model's value, whether one
node is down, lies, is cut off and comes back, or every node is killed with -9 and restarted."""

import sqlite3
import threading
import time

import httpx
import pytest
from eth_account import Account

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner
from oracle.network.observation import Observation
from oracle.network.wire import observation_to_json
from oracle.types import Status
from scripts.node_process import wait_for
from tests.chain_fixtures import SIGNER_KEYS
from tests.helpers import flat_pricing
from tests.integration.conftest import Requests
from tests.integration.network import OracleNetwork
from tests.model_fixtures import CREDIT_RISK, FEE_WEI

KEYS = SIGNER_KEYS[:4]
STAGGER = 3.0  # seconds: above the time a transaction takes to be mined on a loaded 2-core machine


@pytest.fixture(scope="module")
def network_coordinator(OracleCoordinator, owner, credit_model):
    addresses = [Account.from_key(key).address for key in KEYS]
    coordinator = OracleCoordinator.deploy(owner, addresses, 3, {"from": owner})
    coordinator.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, flat_pricing(FEE_WEI), {"from": owner}
    )
    for address in addresses:
        owner.transfer(address, "50 ether")
    return coordinator


@pytest.fixture(scope="module")
def network_consumer(ConsumerMock, network_coordinator, owner):
    return ConsumerMock.deploy(network_coordinator, {"from": owner})


@pytest.fixture
def network_requests(web3, network_coordinator, network_consumer, user):
    return Requests(web3, network_coordinator, network_consumer, user)


@pytest.fixture
def network(web3, network_coordinator, tmp_path):
    started = []

    def start(keys=KEYS, **settings) -> OracleNetwork:
        settings.setdefault("transmit_stagger", STAGGER)
        net = OracleNetwork(web3.provider.endpoint_uri, network_coordinator.address, list(keys), tmp_path, **settings)
        started.append(net.start())
        return net

    yield start
    for net in started:
        net.stop()


def store_states(node) -> dict[str, int]:
    with sqlite3.connect(node.database) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM requests GROUP BY state").fetchall())


def values_per_report(web3, coordinator, block_from: int) -> list[int]:
    """How many values each fulfilled report carried, from the fulfillBatch transactions' calldata."""
    contract = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)
    counts = []
    hashes = {e["transactionHash"] for e in contract.events.PredictionFulfilled().get_logs(from_block=block_from)}
    for tx_hash in hashes:
        function, args = contract.decode_function_input(web3.eth.get_transaction(tx_hash)["input"])
        counts.extend(len(report["values"]) for report in args["reports"])
    return counts


def answered_all(network_requests, ids, node=None):
    return wait_for(
        lambda: (a := network_requests.answers()) and all(i in a for i in ids) and a,
        90,
        f"{len(ids)} answers",
        node,
    )


def assert_model_values(answers, ids, rows):
    for request_id, (_, expected) in zip(ids, rows, strict=True):
        assert len(answers[request_id]) == 1, "answered more than once"
        status, value, _ = answers[request_id][0]
        assert (Status(status), value) == (Status.OK, expected)


def test_four_nodes_answer_every_request_once_with_three_signatures(
    network, network_requests, held_out_rows, web3, network_coordinator
):
    net = network()
    start_block = web3.eth.block_number
    rows = held_out_rows[:24]
    ids = network_requests.send([f for f, _ in rows])

    answers = answered_all(network_requests, ids, net.nodes[0])

    assert_model_values(answers, ids, rows)
    assert set(values_per_report(web3, network_coordinator, start_block)) == {3}
    assert network_requests.skipped(start_block) == []
    for node in net.nodes:  # every node settles every request, whoever sent the answer
        wait_for(lambda n=node: store_states(n) == {"confirmed": len(ids)}, 30, "every request confirmed", node)
    peers = httpx.get(net.api_url(0) + "/metrics").text
    assert "oracle_peer_observations_received_total" in peers


def test_answers_keep_coming_with_one_node_stopped_mid_run(network, network_requests, held_out_rows, web3):
    net = network()
    start_block = web3.eth.block_number
    first = network_requests.send([f for f, _ in held_out_rows[:6]])
    answered_all(network_requests, first, net.nodes[0])
    net.nodes[3].stop()

    rows = held_out_rows[6:26]
    ids = network_requests.send([f for f, _ in rows])

    answers = answered_all(network_requests, ids, net.nodes[0])
    assert_model_values(answers, ids, rows)
    assert network_requests.skipped(start_block) == []


class LyingSigner:
    """A registered signer that signs a wrong value for every request it sees and posts it to the nodes."""

    def __init__(self, key: bytes, domain: CoordinatorDomain, web3, coordinator, urls: list[str]) -> None:
        self.signer = ObservationSigner(Account.from_key(key), domain)
        self.contract = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)
        self.urls = urls
        self.posted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from oracle.types import Request

        seen = set()
        while not self._stop.wait(0.1):
            for event in self.contract.events.PredictionRequested().get_logs(from_block=0):
                request_id = bytes(event["args"]["requestId"])
                if request_id in seen:
                    continue
                seen.add(request_id)
                request = Request.from_abi(event["args"]["request"])
                lie = 10_000  # certain default, whatever the applicant
                signature = self.signer.sign_observation(request_id, request, Status.OK, lie)
                body = {
                    "observations": [
                        observation_to_json(
                            Observation.of(request_id, request, Status.OK, lie, self.signer.address, signature)
                        )
                    ]
                }
                for url in self.urls:
                    try:
                        if httpx.post(url + "/v1/observations", json=body, timeout=5).status_code == 200:
                            self.posted += 1
                    except httpx.HTTPError:
                        pass  # that node is not up yet: the lie is only sent once


def test_a_lying_signer_cannot_move_any_answer(
    network, network_requests, held_out_rows, web3, network_coordinator, chain
):
    net = network(keys=KEYS[:3])
    net.wait_ready()
    domain = CoordinatorDomain(chain.id, network_coordinator.address)
    rows = held_out_rows[:20]
    with LyingSigner(KEYS[3], domain, web3, network_coordinator, [net.api_url(i) for i in range(3)]) as liar:
        ids = network_requests.send([f for f, _ in rows])
        answers = answered_all(network_requests, ids, net.nodes[0])
    assert liar.posted > 0
    assert_model_values(answers, ids, rows)


def test_a_partitioned_node_catches_up_after_the_partition_heals(network, network_requests, held_out_rows, web3):
    net = network()
    start_block = web3.eth.block_number
    net.partition(2)
    rows = held_out_rows[:16]
    ids = network_requests.send([f for f, _ in rows])
    answers = answered_all(network_requests, ids, net.nodes[0])
    assert_model_values(answers, ids, rows)

    net.heal(2)
    more_rows = held_out_rows[16:24]
    more = network_requests.send([f for f, _ in more_rows])
    answers = answered_all(network_requests, more, net.nodes[2])
    assert_model_values(answers, more, more_rows)
    wait_for(lambda: store_states(net.nodes[2]) == {"confirmed": 24}, 30, "node 2 caught up", net.nodes[2])
    assert network_requests.skipped(start_block) == []


def test_every_node_killed_and_restarted_loses_nothing_and_sends_nothing_twice(
    network, network_requests, held_out_rows, web3
):
    net = network()
    start_block = web3.eth.block_number
    rows = held_out_rows[:60]
    sender = threading.Thread(target=lambda: ids.extend(network_requests.send([f for f, _ in rows])))
    ids: list[bytes] = []
    sender.start()
    time.sleep(1.5)
    for node in net.nodes:
        node.kill()
    sender.join()
    for node in net.nodes:
        node.start()

    answers = answered_all(network_requests, ids, net.nodes[0])
    assert_model_values(answers, ids, rows)
    assert network_requests.skipped(start_block) == []


def predict_key(node) -> dict:
    from oracle.store.api_keys import ApiKeyStore, Scope
    from oracle.store.engines import open_database

    database = open_database(node.database)
    try:
        return {"X-API-Key": ApiKeyStore(database).create("frontend", [Scope.PREDICT], 1_000)[1]}
    finally:
        database.close()


def test_pull_report_carries_three_signatures_that_the_coordinator_accepts(
    network, held_out_rows, network_coordinator, user
):
    net = network()
    net.wait_ready()
    features, expected = held_out_rows[3]
    response = httpx.post(
        net.api_url(1) + "/v1/predictions",
        json={"model": "credit-risk", "features": features, "subject": user.address, "consumer": user.address},
        headers=predict_key(net.nodes[1]),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["report"]["values"] == [expected] * 3
    assert len(set(answer["signers"])) == 3 and answer["signer"] in answer["signers"]
    status, value = network_coordinator.verifyReport(answer["abi"]["report"], answer["abi"]["signatures"])
    assert (status, value) == (Status.OK, expected)


def test_pull_report_without_a_quorum_answers_503_naming_each_peer(network, held_out_rows, user):
    net = network()
    net.wait_ready()
    net.nodes[2].stop()
    net.nodes[3].stop()
    response = httpx.post(
        net.api_url(0) + "/v1/predictions",
        json={
            "model": "credit-risk",
            "features": held_out_rows[0][0],
            "subject": user.address,
            "consumer": user.address,
        },
        headers=predict_key(net.nodes[0]),
        timeout=30,
    )
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "2 of 3 signatures" in message
    assert net.addresses[2] in message and net.addresses[3] in message
