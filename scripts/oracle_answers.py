"""Waiting for the oracle node: every request made since a block answered (fulfilled or cancelled) on chain."""

from __future__ import annotations

import time

from brownie import web3

from oracle.chain.codec import event_topic


def _request_ids(coordinator, name: str, from_block: int) -> set[bytes]:
    logs = web3.eth.get_logs(
        {
            "address": coordinator.address,
            "topics": ["0x" + event_topic(name).hex()],
            "fromBlock": from_block,
            "toBlock": "latest",
        }
    )
    return {bytes(entry["topics"][1]) for entry in logs}


def unanswered(coordinator, from_block: int) -> set[bytes]:
    requested = _request_ids(coordinator, "PredictionRequested", from_block)
    answered = _request_ids(coordinator, "PredictionFulfilled", from_block) | _request_ids(
        coordinator, "PredictionCancelled", from_block
    )
    return requested - answered


def wait_for_answers(coordinator, from_block: int, timeout: float = 60, node=None) -> None:
    """Returns once every request since `from_block` has its answer on chain; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while pending := unanswered(coordinator, from_block):
        if node is not None and not node.alive():
            raise SystemExit(f"the oracle node stopped; its log:\n{node.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(pending)} requests still unanswered after {timeout:.0f}s")
        time.sleep(0.05)
