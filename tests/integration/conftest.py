"""Integration fixtures: a coordinator serving the real credit-risk model, and the real node process against it."""

import pytest

from oracle.chain.codec import event_topic
from oracle.chain.coordinator import Coordinator
from scripts.node_process import NodeProcess
from tests.chain_fixtures import SIGNER_KEYS
from tests.model_fixtures import CREDIT_RISK, FEE_WEI

CALLBACK_GAS = 150_000


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Each test runs on a snapshot of the chain, reverted after it."""


@pytest.fixture(scope="module", autouse=True)
def transactions_fit_beside_the_nodes():
    """Estimated gas limits for the tests' own transactions while nodes send theirs (see scripts/run.py)."""
    from brownie._config import CONFIG

    from scripts.run import estimate_gas_limits

    settings = CONFIG.active_network["settings"]
    previous = settings["gas_limit"]
    estimate_gas_limits()
    yield
    settings["gas_limit"] = previous


@pytest.fixture(scope="module")
def requester(ConsumerMock, served_coordinator, owner):
    return ConsumerMock.deploy(served_coordinator, {"from": owner})


@pytest.fixture
def start_node(web3, served_coordinator, tmp_path):
    nodes = []

    def start(**settings) -> NodeProcess:
        node = NodeProcess(
            web3.provider.endpoint_uri, served_coordinator.address, SIGNER_KEYS[0], tmp_path, **settings
        ).start()
        nodes.append(node)
        return node

    yield start
    for node in nodes:
        node.stop()


class Requests:
    """Sends requests straight through web3 (no receipt wait per transaction) and reads answers from logs."""

    def __init__(self, web3, coordinator, consumer, sender):
        self.web3 = web3
        self.coordinator = Coordinator(web3, coordinator.address)
        self.consumer = web3.eth.contract(address=consumer.address, abi=consumer.abi)
        self.sender = sender.address
        self.requested_topic = "0x" + event_topic("PredictionRequested").hex()

    def send(self, features_rows, ttl: int = 3_600, model=CREDIT_RISK) -> list[bytes]:
        deadline = self.web3.eth.get_block("latest")["timestamp"] + ttl
        hashes = [
            self.consumer.functions.request(model, features, deadline, CALLBACK_GAS).transact(
                {"from": self.sender, "value": FEE_WEI, "gas": 400_000}
            )
            for features in features_rows
        ]
        ids = []
        for tx_hash in hashes:
            receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
            assert receipt["status"] == 1
            ids.append(
                bytes(
                    next(e for e in receipt["logs"] if ("0x" + bytes(e["topics"][0]).hex()) == self.requested_topic)[
                        "topics"
                    ][1]
                )
            )
        return ids

    def answers(self, from_block: int = 0) -> dict[bytes, list[tuple[int, int, int]]]:
        """request id -> [(status, value, block)] of every PredictionFulfilled since from_block."""
        found: dict[bytes, list] = {}
        for answer in self.coordinator.answers(from_block):
            if answer.kind == "fulfilled":
                found.setdefault(answer.request_id, []).append((int(answer.status), answer.value, answer.block_number))
        return found

    def skipped(self, from_block: int = 0) -> list:
        return self.coordinator.skipped_reports(from_block)


@pytest.fixture
def requests(web3, served_coordinator, requester, user):
    return Requests(web3, served_coordinator, requester, user)
