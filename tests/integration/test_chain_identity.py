"""The node records the chain id, genesis and coordinator its store belongs to, and refuses any other."""

from dataclasses import replace

import pytest

from oracle.chain.identity import ChainMismatch, current_identity
from oracle.store.chain_identity import ChainIdentityStore
from oracle.store.database import Database
from tests.integration.in_process import faulty_runtime


def test_first_start_records_the_chain_and_a_restart_on_it_is_accepted(web3, served_coordinator, tmp_path):
    runtime, _ = faulty_runtime(web3.provider.endpoint_uri, served_coordinator.address, tmp_path)
    runtime.check_chain()
    recorded = ChainIdentityStore(runtime.database).get()
    assert recorded == current_identity(web3, served_coordinator.address)
    assert recorded.genesis_hash == bytes(web3.eth.get_block(0)["hash"])

    again, _ = faulty_runtime(web3.provider.endpoint_uri, served_coordinator.address, tmp_path)
    again.check_chain()


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("chain_id", 5, "chain id 31337, the store's is 5"),
        ("genesis_hash", b"\x42" * 32, "the store's is 0x" + "42" * 32 + " (the chain was reset or replaced)"),
        (
            "coordinator",
            "0x000000000000000000000000000000000000dEaD",
            "the store's is 0x000000000000000000000000000000000000dEaD",
        ),
    ],
)
def test_node_refuses_to_start_on_a_store_made_for_another_chain(
    web3, served_coordinator, tmp_path, field, value, named
):
    database = Database(tmp_path / "oracle.db")
    ChainIdentityStore(database).record_first(
        replace(current_identity(web3, served_coordinator.address), **{field: value})
    )
    database.close()
    runtime, provider = faulty_runtime(web3.provider.endpoint_uri, served_coordinator.address, tmp_path)

    with pytest.raises(ChainMismatch, match="was made for another chain") as refused:
        runtime.node()

    assert named in str(refused.value)
    assert "ORACLE_DATABASE" in str(refused.value)
    assert provider.count("eth_sendRawTransaction") == 0  # nothing sent, not even the encryption key
