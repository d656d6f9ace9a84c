"""Waiting for the oracle node: every request made since a block answered (fulfilled or cancelled) on chain."""

from __future__ import annotations

import time

from brownie import web3

from oracle.chain.coordinator import Coordinator


def unanswered(coordinator: Coordinator, from_block: int) -> set[bytes]:
    requested = {event.request_id for event in coordinator.requests(from_block)}
    return requested - {answer.request_id for answer in coordinator.answers(from_block)}


def wait_for_answers(coordinator, from_block: int, timeout: float = 60, node=None) -> None:
    """Returns once every request to `coordinator` (a brownie contract) since `from_block` has its answer on
    chain; raises after `timeout` seconds."""
    wrapper = Coordinator(web3, coordinator.address)
    deadline = time.monotonic() + timeout
    while pending := unanswered(wrapper, from_block):
        if node is not None and not node.alive():
            raise SystemExit(f"the oracle node stopped; its log:\n{node.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(pending)} requests still unanswered after {timeout:.0f}s")
        time.sleep(0.05)
