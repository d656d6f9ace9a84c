"""The AttestationRegistry as the node reads it: which models require attested inputs and which
attesters each trusts, cached for a while (the owner's changes reach the nodes within `max_age`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from oracle.chain.abi import load_abi
from oracle.privacy.attestation import AttestationDomain


class AttestationRegistry:
    def __init__(
        self,
        w3: Web3,
        address: str,
        chain_id: int,
        *,
        max_age_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address = to_checksum_address(address)
        self.domain = AttestationDomain(chain_id, self.address)
        self._w3 = w3
        self._max_age = max_age_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[object, ...], tuple[float, bool]] = {}

    @cached_property
    def _contract(self) -> Contract:
        return self._w3.eth.contract(address=self.address, abi=list(load_abi("AttestationRegistry")))

    def is_required(self, model_id: bytes) -> bool:
        return self._cached(("required", model_id), lambda: self._contract.functions.isAttestationRequired(model_id))

    def is_trusted(self, model_id: bytes, attester: str) -> bool:
        attester = to_checksum_address(attester)
        return self._cached(
            ("trusted", model_id, attester), lambda: self._contract.functions.isTrustedAttester(model_id, attester)
        )

    def _cached(self, key: tuple[object, ...], call: Callable[[], ContractFunction]) -> bool:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < self._max_age:
                return hit[1]
        value = bool(call().call())
        with self._lock:
            self._cache[key] = (now, value)
        return value
