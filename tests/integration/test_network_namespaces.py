"""The 4-node, threshold-3 network with nothing on a shared loopback: each node process in its own network
namespace with its own address, the chain in another, so every observation a node gets from a peer and every
call it makes to the chain crosses a real (virtual) network. Needs root; skipped with the reason where the
machine refuses to create namespaces."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from types import SimpleNamespace

import httpx
import pytest
from eth_account import Account
from prometheus_client.parser import text_string_to_metric_families

from scripts.node_process import NodeProcess, wait_for
from tests.chain_fixtures import SIGNER_KEYS
from tests.helpers import flat_pricing
from tests.integration.conftest import Requests
from tests.integration.namespaces import Anvil, Namespaces, NamespacesUnavailable, namespaced_nodes
from tests.integration.test_network import answered_all, assert_model_values, values_per_report
from tests.model_fixtures import CREDIT_RISK, FEE_WEI

KEYS = SIGNER_KEYS[:4]
THRESHOLD = 3


@pytest.fixture
def cleanup():
    """Undoes, last first, whatever the test set up: nodes, then the chain, then the namespaces."""
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def namespaced_network(cleanup, tmp_path, OracleCoordinator, ConsumerMock, credit_model):
    """Builds the network when the test calls it. The skip happens there, in the test's call phase, because
    brownie's plugin replaces the reason of a skip raised while fixtures are set up with "Skipped"."""

    def build() -> SimpleNamespace:
        namespaces = create_namespaces()
        cleanup.callback(namespaces.remove)
        anvil = Anvil(namespaces, tmp_path)
        cleanup.callback(anvil.stop)
        anvil.start()
        contracts = deploy_contracts(anvil.web3, OracleCoordinator, ConsumerMock, credit_model)
        addresses = [Account.from_key(key).address for key in KEYS]
        nodes = namespaced_nodes(
            namespaces, anvil.url, contracts.coordinator.address, KEYS, addresses, tmp_path, transmit_stagger=1
        )
        cleanup.callback(stop_all, nodes)
        for node in nodes:
            node.start()
        return SimpleNamespace(namespaces=namespaces, web3=anvil.web3, nodes=nodes, **vars(contracts))

    return build


def stop_all(nodes) -> None:
    """All at once: each node takes its time to shut down cleanly."""
    with ThreadPoolExecutor(len(nodes)) as pool:
        list(pool.map(NodeProcess.stop, nodes))


def create_namespaces() -> Namespaces:
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (CI runs as root)")
    if shutil.which("ip") is None:
        pytest.skip("network namespaces need iproute2's `ip`, which is not on PATH")
    try:
        return Namespaces(nodes=len(KEYS)).create()
    except NamespacesUnavailable as error:
        pytest.skip(str(error))


def deploy_contracts(web3, OracleCoordinator, ConsumerMock, credit_model) -> SimpleNamespace:
    """The coordinator with the four node keys as signers (threshold 3, each funded for gas), the real model
    registered by its real hashes, and a consumer to request through."""
    owner = web3.eth.accounts[0]
    signers = [Account.from_key(key).address for key in KEYS]
    coordinator = deploy(web3, OracleCoordinator, owner, owner, signers, THRESHOLD)
    register = coordinator.functions.registerModel(
        CREDIT_RISK, credit_model.artifact_hash, credit_model.schema_hash, flat_pricing(FEE_WEI)
    )
    mined(web3, register.transact({"from": owner}))
    for signer in signers:
        mined(web3, web3.eth.send_transaction({"from": owner, "to": signer, "value": 50 * 10**18}))
    consumer = deploy(web3, ConsumerMock, owner, coordinator.address)
    return SimpleNamespace(coordinator=coordinator, consumer=consumer)


def deploy(web3, container, sender, *args):
    """A brownie-compiled contract deployed with plain web3: brownie is connected to its own chain, not this one."""
    contract = web3.eth.contract(abi=container.abi, bytecode=container.bytecode)
    receipt = mined(web3, contract.constructor(*args).transact({"from": sender}))
    return web3.eth.contract(address=receipt["contractAddress"], abi=container.abi)


def mined(web3, tx_hash):
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1
    return receipt


def wait_ready(net, timeout: float = 60) -> None:
    """Until every node's API answers at its own address, from the test's namespace."""
    for i, node in enumerate(net.nodes):
        url = f"{net.namespaces.api_url(i)}/healthz"
        wait_for(lambda url=url, node=node: api_answers(url) or not node.alive(), timeout, f"node {i}'s API")
        assert node.alive(), f"node {i} exited with {node.process.returncode}:\n{node.log()[-4000:]}"


def api_answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def observations_received(metrics: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        if family.name == "oracle_peer_observations_received"
        for sample in family.samples
        if sample.name.endswith("_total")
    )


def test_four_nodes_each_in_its_own_namespace_answer_every_request_once_with_three_signatures(
    namespaced_network, held_out_rows
):
    net = namespaced_network()
    wait_ready(net)
    requests = Requests(net.web3, net.coordinator, net.consumer, SimpleNamespace(address=net.web3.eth.accounts[1]))
    start_block = net.web3.eth.block_number
    rows = held_out_rows[:12]

    ids = requests.send([features for features, _ in rows])
    answers = answered_all(requests, ids, net.nodes[0])

    assert_model_values(answers, ids, rows)
    assert set(values_per_report(net.web3, net.coordinator, start_block)) == {THRESHOLD}
    assert requests.skipped(start_block) == []
    for i, node in enumerate(net.nodes):  # each heard its peers across the bridge: there is no loopback to share
        metrics = httpx.get(f"{net.namespaces.api_url(i)}/metrics", timeout=5).text
        assert observations_received(metrics) > 0, node.log()[-4000:]
