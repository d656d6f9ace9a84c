"""Sends this node's observations to each peer's API, one worker thread per peer, so that a slow or
unreachable peer never holds up the node's loop or the other peers.

Delivery is at least once: a peer that cannot be reached is retried with exponential backoff until the
request is final; a restarted node sends its open observations again (peers keep one per signer and
request, so a repeat changes nothing). A peer that refuses observations (4xx) is not asked again with the
same ones: the reason is logged, as it means a configuration error on one side.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import httpx

from oracle.network.observation import Observation
from oracle.network.wire import observation_to_json
from oracle.store.observations import ObservationStore

log = logging.getLogger(__name__)

MAX_PER_POST = 200
MAX_BACKOFF_SECONDS = 30.0
# Deliveries are counted in the store at most this often (each count is a durable write, which would
# otherwise follow every post and hold the store's lock while the node's loop waits on it).
STATS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class Peer:
    address: str  # the peer's registered signer address
    url: str  # base URL of its HTTP API


class PeerOutbox:
    def __init__(
        self,
        peers: Sequence[Peer],
        store: ObservationStore,
        still_open: Callable[[Sequence[bytes]], set[bytes]],
        *,
        timeout_seconds: float = 2.0,
    ) -> None:
        self._workers = [_PeerWorker(peer, store, still_open, timeout_seconds) for peer in peers]

    @property
    def peers(self) -> list[Peer]:
        return [worker.peer for worker in self._workers]

    def start(self) -> None:
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        for worker in self._workers:
            worker.stop()

    def send(self, observations: Iterable[Observation]) -> None:
        batch = list(observations)
        if batch:
            for worker in self._workers:
                worker.enqueue(batch)

    def idle(self) -> bool:
        """Nothing waiting for any peer (for tests and a clean stop)."""
        return all(worker.idle() for worker in self._workers)


class _PeerWorker:
    def __init__(
        self,
        peer: Peer,
        store: ObservationStore,
        still_open: Callable[[Sequence[bytes]], set[bytes]],
        timeout_seconds: float,
    ) -> None:
        self.peer = peer
        self._store = store
        self._still_open = still_open
        self._pending: dict[bytes, Observation] = {}
        self._condition = threading.Condition()
        self._stopping = False
        self._failures = 0
        self._unrecorded = 0  # delivered, not yet counted in the store
        self._recorded_at = 0.0
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False)
        self._thread = threading.Thread(target=self._run, name=f"peer-{peer.address[:10]}", daemon=True)
        self._endpoint = peer.url.rstrip("/") + "/v1/observations"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify()
        self._thread.join(timeout=5)
        self._record_delivered()
        self._client.close()

    def enqueue(self, observations: Sequence[Observation]) -> None:
        with self._condition:
            for observation in observations:
                self._pending[observation.request_id] = observation
            self._condition.notify()

    def idle(self) -> bool:
        with self._condition:
            return not self._pending

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._stopping:
                    if self._unrecorded:
                        self._condition.wait(STATS_EVERY_SECONDS)
                        self._record_delivered()
                    else:
                        self._condition.wait()
                if self._stopping:
                    return
                batch = list(self._pending.values())[:MAX_PER_POST]
            delivered = self._post(batch)
            with self._condition:
                if delivered:
                    for observation in batch:
                        if self._pending.get(observation.request_id) is observation:
                            del self._pending[observation.request_id]
                    continue
                backoff = min(MAX_BACKOFF_SECONDS, 0.25 * 2**self._failures)
                self._condition.wait(backoff)
            self._drop_closed()

    def _post(self, batch: list[Observation]) -> bool:
        """True when the peer took the batch or refused it for good (not worth sending again)."""
        try:
            response = self._client.post(self._endpoint, json={"observations": [observation_to_json(o) for o in batch]})
        except httpx.HTTPError as error:
            return self._failed(f"{type(error).__name__}: {error}")
        if response.status_code < 300:
            if self._failures:
                log.info("peer %s reachable again", self.peer.address)
            self._failures = 0
            self._unrecorded += len(batch)
            if time.monotonic() - self._recorded_at >= STATS_EVERY_SECONDS:
                self._record_delivered()
            return True
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            return self._failed(f"HTTP {response.status_code}")
        log.error(
            "peer %s refused %d observations: HTTP %d %s",
            self.peer.address,
            len(batch),
            response.status_code,
            response.text[:300],
        )
        self._store.record_sent(self.peer.address, 0, f"refused: HTTP {response.status_code}")
        return True

    def _record_delivered(self) -> None:
        if self._unrecorded:
            self._store.record_sent(self.peer.address, self._unrecorded)
            self._unrecorded = 0
        self._recorded_at = time.monotonic()

    def _failed(self, reason: str) -> bool:
        self._failures += 1
        if self._failures == 1 or self._failures % 20 == 0:
            log.warning(
                "peer %s (%s) unreachable: %s (attempt %d)", self.peer.address, self.peer.url, reason, self._failures
            )
        self._store.record_sent(self.peer.address, 0, reason)
        return False

    def _drop_closed(self) -> None:
        """Stops retrying observations of requests that reached a final state meanwhile."""
        with self._condition:
            ids = list(self._pending)
        open_ids = self._still_open(ids)
        with self._condition:
            for request_id in ids:
                if request_id not in open_ids:
                    self._pending.pop(request_id, None)
