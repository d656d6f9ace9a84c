"""Helpers for the transaction-manager tests."""


def calldata(method, *args) -> bytes:
    """A brownie contract method's calldata as bytes."""
    return bytes.fromhex(method.encode_input(*args)[2:])


class SimulatedCrash(BaseException):
    """Raised by a broadcast hook: the process dies between journaling an attempt and broadcasting it."""


def crash(raw: bytes) -> None:
    raise SimulatedCrash
