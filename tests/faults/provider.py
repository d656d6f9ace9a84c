"""A JSON-RPC provider in front of a real node (anvil) that fails or alters the calls a test chooses.

    provider = FaultyProvider(endpoint)
    provider.inject("eth_getTransactionReceipt", when=lambda params: params[0] == tx_hash)  # raises
    provider.inject("eth_getTransactionReceipt", result=None, times=2)  # "not mined yet", twice

Every call, failed or not, is recorded in `calls`; a fault with `times` stops after that many matches.
Batch requests go through the same rules, call by call.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from web3 import HTTPProvider, Web3

_RAISE = object()


class InjectedFault(requests.exceptions.ConnectionError):
    """What a failing call raises: a connection error, as a reset connection to the RPC would."""


@dataclass
class Fault:
    method: str
    when: Callable[[list], bool]
    result: Any
    times: int | None
    matched: int = 0

    def matches(self, method: str, params: list) -> bool:
        return method == self.method and (self.times is None or self.matched < self.times) and self.when(params)


class FaultyProvider(HTTPProvider):
    def __init__(self, endpoint_uri: str) -> None:
        super().__init__(endpoint_uri)
        self.calls: list[tuple[str, list]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def inject(
        self,
        method: str,
        *,
        when: Callable[[list], bool] = lambda params: True,
        result: Any = _RAISE,
        times: int | None = None,
    ) -> Fault:
        """Calls of `method` whose params satisfy `when` raise InjectedFault, or answer `result` if given."""
        fault = Fault(method, when, result, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def count(self, method: str) -> int:
        """How many calls of `method` were made (failed or not)."""
        return sum(1 for called, _ in self.calls if called == method)

    def _fault_for(self, method: str, params: list) -> Fault | None:
        with self._lock:
            self.calls.append((method, list(params)))
            fault = next((f for f in self._faults if f.matches(method, list(params))), None)
            if fault is not None:
                fault.matched += 1
            return fault

    def _faulted(self, fault: Fault, method: str) -> dict:
        if fault.result is _RAISE:
            raise InjectedFault(f"injected fault: {method}")
        return {"jsonrpc": "2.0", "id": next(self._ids), "result": fault.result}

    def make_request(self, method, params):
        fault = self._fault_for(method, params)
        if fault is not None:
            return self._faulted(fault, method)
        return super().make_request(method, params)

    def make_batch_request(self, batch_requests):
        faults = [self._fault_for(method, params) for method, params in batch_requests]
        if all(f is None for f in faults):
            return super().make_batch_request(batch_requests)
        return [
            self._faulted(f, method) if f is not None else super(FaultyProvider, self).make_request(method, params)
            for f, (method, params) in zip(faults, batch_requests, strict=True)
        ]


def faulty_web3(endpoint_uri: str) -> tuple[Web3, FaultyProvider]:
    """A Web3 client on `endpoint_uri` through a FaultyProvider, with the middleware the node removes removed."""
    provider = FaultyProvider(endpoint_uri)
    w3 = Web3(provider)
    for middleware in ("validation", "ens_name_to_address"):
        w3.middleware_onion.remove(middleware)
    return w3, provider
