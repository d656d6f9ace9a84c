"""Failed node ticks: waits that double up to a cap, one traceback then one line per failure, counted."""

import logging
from types import SimpleNamespace

from prometheus_client import REGISTRY

from oracle.node import OracleNode
from oracle.tick_backoff import MAX_WAIT_SECONDS


class Stop:
    """The loop's stop event, recording the waits instead of sleeping; set after `ticks` ticks."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.set_now = False

    def is_set(self) -> bool:
        return self.set_now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.set_now


def failures() -> float:
    return REGISTRY.get_sample_value("oracle_node_tick_failures_total") or 0.0


def test_a_refused_rpc_backs_off_and_logs_one_traceback(caplog):
    """The node's real loop, its tick failing as with a refused RPC, then succeeding once."""
    node = OracleNode.__new__(OracleNode)  # only the loop runs: no chain, no store
    node.start = node.stop = lambda: None
    node._signer, node._registry = SimpleNamespace(address="0xnode"), SimpleNamespace(names=())
    node._housekeeping = None
    stop, ticks = Stop(), []

    def tick():
        ticks.append(1)
        if len(ticks) == 12:
            stop.set_now = True
            raise ConnectionRefusedError("[Errno 111] Connection refused")
        if len(ticks) == 10:
            return type("Idle", (), {"busy": True})()
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    node.tick = tick
    before = failures()
    with caplog.at_level(logging.INFO, logger="oracle.node"):
        node.run(stop, poll_interval=0.5)

    assert stop.waits == [0.5, 1, 2, 4, 8, 16, MAX_WAIT_SECONDS, MAX_WAIT_SECONDS, MAX_WAIT_SECONDS, 0.5, 1]
    assert failures() == before + 11
    failed = [r for r in caplog.records if "tick failed" in r.getMessage()]
    assert len(failed) == 11
    assert [r.exc_info is not None for r in failed] == [True] + [False] * 8 + [True, False]
    assert "tick failed again (2 in a row), retrying in 1 s: ConnectionRefusedError" in failed[1].getMessage()
    assert any("succeeded after 9 failures" in r.getMessage() for r in caplog.records)
