"""Integration fixtures: a coordinator serving the real credit-risk model, and the real node process against it."""

import csv

import pytest
from eth_utils import event_abi_to_log_topic

from oracle.ml.model import LoadedModel
from oracle.node_process import REPO, NodeProcess
from oracle.types import model_id
from tests.chain_fixtures import *  # noqa: F403
from tests.chain_fixtures import SIGNER_KEYS

MODEL_DIR = REPO / "models" / "credit-risk"
CREDIT_RISK = model_id("credit-risk")
FEE_WEI = 10**15
CALLBACK_GAS = 150_000


@pytest.fixture(scope="session")
def credit_model():
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="session")
def held_out_rows(credit_model):
    """(features, expected PD in bps) of every committed held-out applicant."""
    names = credit_model.schema.feature_names
    with (MODEL_DIR / "held_out.csv").open() as rows:
        return [([int(row[n]) for n in names], int(row["expected_pd_bps"])) for row in csv.DictReader(rows)]


@pytest.fixture(scope="module")
def served_coordinator(OracleCoordinator, owner, signer_accounts, credit_model):
    coordinator = OracleCoordinator.deploy(owner, [signer_accounts[0].address], 1, {"from": owner})
    coordinator.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, FEE_WEI, {"from": owner}
    )
    owner.transfer(signer_accounts[0].address, "100 ether")
    return coordinator


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
        self.coordinator = web3.eth.contract(address=coordinator.address, abi=coordinator.abi)
        self.consumer = web3.eth.contract(address=consumer.address, abi=consumer.abi)
        self.sender = sender.address
        events = {e["name"]: e for e in coordinator.abi if e["type"] == "event"}
        self.requested_topic = "0x" + event_abi_to_log_topic(events["PredictionRequested"]).hex()
        self.fulfilled_abi = events["PredictionFulfilled"]
        self.skipped_abi = events["ReportSkipped"]

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
        for event in self.coordinator.events.PredictionFulfilled().get_logs(from_block=from_block):
            found.setdefault(bytes(event["args"]["requestId"]), []).append(
                (event["args"]["status"], event["args"]["value"], event["blockNumber"])
            )
        return found

    def skipped(self, from_block: int = 0) -> list:
        return list(self.coordinator.events.ReportSkipped().get_logs(from_block=from_block))


@pytest.fixture
def requests(web3, served_coordinator, requester, user):
    return Requests(web3, served_coordinator, requester, user)


@pytest.fixture
def rpc(web3, isolation):
    """Calls an anvil RPC method. Before the test's snapshot is reverted, the pool is emptied, automining is back on
    and the next base fee is 0 again (anvil's fee state, unlike its chain state, survives the revert)."""

    def call(method: str, *params):
        response = web3.provider.make_request(method, list(params))
        assert "error" not in response, response
        return response.get("result")

    yield call
    call("anvil_dropAllTransactions")
    call("evm_setAutomine", True)
    call("anvil_setNextBlockBaseFeePerGas", "0x0")
    call("evm_mine")
