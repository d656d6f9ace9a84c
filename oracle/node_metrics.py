"""The node process's own Prometheus metrics, served on ORACLE_METRICS_PORT from prometheus_client's default
registry, so every metric another module defines there appears too, and the fault counters of
oracle/chain/fault_metrics.py (their own registry).

Counters are incremented where things happen (failed ticks in oracle/tick_backoff.py, RPC errors in
oracle/chain/rpc.py, skipped reports in oracle/node.py); the gauges read the store and the chain when
Prometheus scrapes (NodeGauges), on the metrics server's own thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, Counter, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from oracle.chain import fault_metrics

log = logging.getLogger(__name__)

TICK_FAILURES = Counter("oracle_node_tick_failures_total", "Node ticks that raised (each backed off and retried)")
RPC_ERRORS = Counter(
    "oracle_node_rpc_errors_total",
    "JSON-RPC calls that got no answer, by kind (timeout: hung or overloaded endpoint; connection: refused or reset)",
    ["kind"],
)
REPORTS_SKIPPED = Counter(
    "oracle_node_reports_skipped_total",
    "answers the coordinator passed over in a mined transaction, by its reason (answered already, expired...)",
    ["reason"],
)


class NodeGauges(Collector):
    """Read at each scrape: the signer's balance (one RPC call), fees paid, the oldest unsettled answer."""

    def __init__(
        self,
        balance_wei: Callable[[], int],
        fees_paid_wei: Callable[[], int],
        oldest_sent_at: Callable[[], float | None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._balance = balance_wei
        self._fees = fees_paid_wei
        self._oldest_sent_at = oldest_sent_at
        self._clock = clock

    def describe(self) -> list[Metric]:
        return []  # collected only when scraped, never at registration

    def collect(self) -> Iterator[Metric]:
        try:
            yield GaugeMetricFamily(
                "oracle_node_signer_balance_wei",
                "balance of the node's key, which pays for its answers",
                self._balance(),
            )
        except Exception as error:  # the chain's own failure shows in oracle_node_rpc_errors_total
            log.warning("metrics: signer balance unavailable (%s)", type(error).__name__)
        yield CounterMetricFamily(
            "oracle_node_fees_spent_wei", "fees the node paid (gas used x effective gas price)", self._fees()
        )
        oldest = self._oldest_sent_at()
        yield GaugeMetricFamily(
            "oracle_node_oldest_sent_seconds",
            "age of the oldest answer sent and not settled (0 when none waits): alert when it passes minutes",
            0.0 if oldest is None else max(0.0, self._clock() - oldest),
        )


class MetricsServer:
    """The default registry, with the node's gauges, over HTTP on a thread of its own."""

    def __init__(self, gauges: NodeGauges, host: str, port: int) -> None:
        self._gauges = gauges
        self._host = host
        self._port = port
        self._server: WSGIServer | None = None

    @property
    def port(self) -> int:
        return self._server.server_port if self._server is not None else self._port

    def start(self) -> MetricsServer:
        REGISTRY.register(self._gauges)
        REGISTRY.register(fault_metrics.REGISTRY)  # the transaction manager's and listener's fault counters
        self._server, _ = start_http_server(self._port, addr=self._host, registry=REGISTRY)
        log.info("node metrics on http://%s:%d/metrics", self._host, self.port)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            REGISTRY.unregister(self._gauges)
            REGISTRY.unregister(fault_metrics.REGISTRY)
