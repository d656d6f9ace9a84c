"""A node whose answer loses the race to another relayer records the request as answered, not failed."""

from eth_account import Account

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner, sign_report
from oracle.config import load_settings
from oracle.runtime import Runtime
from oracle.store.requests import State
from scripts.node_process import REPO
from tests.chain_fixtures import SIGNER_KEYS


def test_answer_beaten_by_another_relayer_is_confirmed_from_the_chain(
    web3, served_coordinator, requests, held_out_rows, relayer, tmp_path, chain
):
    settings = load_settings(
        environ={},
        rpc_url=web3.provider.endpoint_uri,
        coordinator=served_coordinator.address,
        private_key="0x" + SIGNER_KEYS[0].hex(),
        models_dir=str(REPO / "models"),
        models=["credit-risk"],
        database=str(tmp_path / "oracle.db"),
        confirmations=0,
    )
    node = Runtime(settings).node()
    node.start()
    [request_id] = requests.send([held_out_rows[0][0]])
    # The node's own steps up to a signed answer, then another relayer fulfils first (same signer key,
    # as a second transmitter of the same operator would).
    node._listener.poll()
    node.predict_seen()
    node.sign_predicted()
    stored = node._store.get(request_id)
    signer = ObservationSigner(
        Account.from_key(SIGNER_KEYS[0]), CoordinatorDomain(chain.id, served_coordinator.address)
    )
    report, signatures = sign_report([signer], request_id, stored.request, stored.status, [stored.value])
    served_coordinator.fulfill(report.as_abi(), signatures, {"from": relayer})

    sent = node.send_ready(web3.eth.get_block("latest")["gasLimit"])
    assert sent == 1
    for _ in range(100):
        node.settle_sent()
        if node._store.get(request_id).state != State.SENT:
            break
    assert node._store.get(request_id).state == State.CONFIRMED
    assert len(requests.skipped()) == 1  # the coordinator passed over the node's late report
