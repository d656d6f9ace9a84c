"""Helpers for the transaction-manager tests."""

import time


def calldata(method, *args) -> bytes:
    """A brownie contract method's calldata as bytes."""
    return bytes.fromhex(method.encode_input(*args)[2:])


class SimulatedCrash(BaseException):
    """Raised by a broadcast hook: the process dies between journaling an attempt and broadcasting it."""


def crash(raw: bytes) -> None:
    raise SimulatedCrash


def poll_until_final(manager, count: int, timeout_seconds: float = 10.0) -> list:
    """Polls until `count` transactions became final, or the time is up.

    anvil answers a broadcast before its automine has mined the block, so one poll right after submit may be early.
    """
    outcomes = []
    deadline = time.monotonic() + timeout_seconds
    while True:
        outcomes += manager.poll()
        if len(outcomes) >= count or time.monotonic() > deadline:
            return outcomes
        time.sleep(0.01)
