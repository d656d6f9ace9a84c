"""Readiness: the chain answers, the store takes writes, and every model is served with the hashes the
coordinator has registered now (not only at start-up).

The checks write to the store and call the chain, and /readyz is public: their answer is kept for
`cache_seconds`, and one caller at a time runs them (the others get the last answer meanwhile), so a
flood of probes costs a few chain calls a second at most.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3

from oracle.chain.coordinator import NOT_REGISTERED, Coordinator, Registration, registration_problem
from oracle.ml.registry import ModelRegistry
from oracle.store.database import Engine, StoreError
from oracle.types import model_id as model_id_of


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


class ReadinessProbe:
    def __init__(
        self,
        w3: Web3,
        coordinator: Coordinator,
        registry: ModelRegistry,
        database: Engine,
        store_timeout: float = 2.0,
        cache_seconds: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._w3 = w3
        self._coordinator = coordinator
        self._registry = registry
        self._database = database
        self._store_timeout = store_timeout
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._checking = threading.Lock()
        self._last: tuple[float, list[Check]] | None = None  # (when, checks)

    def checks(self) -> list[Check]:
        """The last answer while it is younger than `cache_seconds`, else fresh checks; a caller that finds
        another one checking gets the last answer (the very first callers wait for the first checks)."""
        last = self._last
        if last is not None and self._clock() - last[0] < self._cache_seconds:
            return last[1]
        if not self._checking.acquire(blocking=last is None):
            assert last is not None  # only a caller with an answer to give does not wait
            return last[1]
        try:
            last = self._last
            if last is not None and self._clock() - last[0] < self._cache_seconds:
                return last[1]  # checked by another caller while this one waited
            checks = self._run()
            self._last = (self._clock(), checks)
            return checks
        finally:
            self._checking.release()

    def _run(self) -> list[Check]:
        chain = self._chain()
        return [chain, self._store(), *self._models(chain.ok)]

    def _chain(self) -> Check:
        try:
            head = self._w3.eth.block_number
        except Exception as error:
            return Check("chain", False, f"no answer from the chain ({type(error).__name__})")
        return Check("chain", True, f"head block {head}")

    def _store(self) -> Check:
        """A real write on a connection of its own with a short lock timeout: a store locked by a stuck
        writer, or on a full or read-only disk, fails here instead of hanging the probe."""
        try:
            self._database.heartbeat("readyz", self._store_timeout)
        except StoreError as error:
            return Check("store", False, str(error))
        return Check("store", True, f"{self._database.name} takes writes")

    def _models(self, chain_ok: bool) -> list[Check]:
        served = self._registry.served()
        checks = []
        for name in self._registry.names:
            model = served.get(model_id_of(name))
            if model is None:
                reason = self._registry.refused.get(name, "not loaded")
                checks.append(Check(f"model:{name}", False, f"not served: {reason}"))
                continue
            if not chain_ok:
                checks.append(Check(f"model:{name}", False, "registration unknown: the chain does not answer"))
                continue
            try:
                registration = self._coordinator.model(model_id_of(name))
            except Exception as error:
                checks.append(Check(f"model:{name}", False, f"cannot read the registration ({type(error).__name__})"))
                continue
            checks.append(self._compare(name, model.artifact_hash, model.schema_hash, registration))
        if not checks:
            checks.append(Check("models", False, "no model configured"))
        return checks

    @staticmethod
    def _compare(name: str, artifact: bytes, schema: bytes, registration: Registration | None) -> Check:
        problem = registration_problem(registration, artifact, schema)
        if problem is not None or registration is None:  # no registration is always a problem
            return Check(f"model:{name}", False, problem or NOT_REGISTERED)
        return Check(f"model:{name}", True, f"v{registration.version}, artifact 0x{artifact.hex()[:12]}…")
