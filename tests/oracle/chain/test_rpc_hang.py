"""A hung RPC endpoint: each call gets one bounded attempt, and the chain clock serves its other callers."""

import logging
import threading

import pytest
import requests
from prometheus_client import REGISTRY

from oracle.chain.clock import ChainClock
from oracle.runtime import connect
from tests.fake_rpc import FakeRpc


def timeouts() -> float:
    return REGISTRY.get_sample_value("oracle_node_rpc_errors_total", {"kind": "timeout"}) or 0.0


def test_a_hung_call_times_out_after_one_attempt(caplog):
    with FakeRpc(hang=("eth_blockNumber",)) as rpc:
        w3 = connect(rpc.url, timeout=0.5)
        before = timeouts()
        with caplog.at_level(logging.WARNING, logger="oracle.chain.rpc"), pytest.raises(requests.Timeout):
            w3.eth.get_block_number()
    assert rpc.calls.count("eth_blockNumber") == 1  # web3's default retried it five times
    assert timeouts() == before + 1
    assert any("eth_blockNumber got no answer within 0.5 s" in r.getMessage() for r in caplog.records)


def test_the_chain_clock_answers_while_another_caller_waits_on_a_hung_rpc():
    with FakeRpc(hang=("eth_getBlockByNumber",)) as rpc:
        clock = ChainClock(connect(rpc.url, timeout=30), refresh_seconds=0)
        first = threading.Thread(target=clock.now)
        first.start()
        assert rpc.hanging.wait(10)
        answers = []
        second = threading.Thread(target=lambda: answers.append(clock.now()))
        second.start()
        second.join(10)
        held = first.is_alive()  # still inside the RPC call
        rpc.release()
        first.join(10)
    assert held and answers and answers[0] > 0
