"""Per-peer state of the network, read from the store when scraped (the node and the API both write it)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from oracle.store.observations import ObservationStore


class PeerCollector(Collector):
    def __init__(self, observations: ObservationStore) -> None:
        self._observations = observations

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        labels = ["peer"]
        received = CounterMetricFamily(
            "oracle_peer_observations_received", "observations kept from each peer", labels=labels
        )
        refused = CounterMetricFamily(
            "oracle_peer_observations_refused", "observations refused from each peer (bad signature)", labels=labels
        )
        sent = CounterMetricFamily(
            "oracle_peer_observations_sent", "observations delivered to each peer", labels=labels
        )
        failures = CounterMetricFamily(
            "oracle_peer_send_failures", "failed or refused posts to each peer", labels=labels
        )
        last_seen = GaugeMetricFamily(
            "oracle_peer_last_seen_seconds", "seconds since each peer's last observation arrived", labels=labels
        )
        now = time.time()
        for peer in self._observations.peers():
            received.add_metric([peer.address], peer.received)
            refused.add_metric([peer.address], peer.refused)
            sent.add_metric([peer.address], peer.sent)
            failures.add_metric([peer.address], peer.send_failures)
            if peer.last_seen_at is not None:
                last_seen.add_metric([peer.address], now - peer.last_seen_at)
        yield from (received, refused, sent, failures, last_seen)
