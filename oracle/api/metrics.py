"""Prometheus metrics: the node's figures read from the store, the journal and the chain at each scrape,
and this API process's own HTTP and pull-report counters. One registry per app (nothing global)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from oracle.store.request_stats import Histogram as StoredHistogram
from oracle.store.request_stats import RequestStats
from oracle.store.requests import RequestStore
from oracle.store.transactions import TransactionJournal

log = logging.getLogger(__name__)

END_TO_END_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
INFERENCE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class NodeCollector(Collector):
    """Reads the node's state when scraped: short read queries on the shared SQLite file, one RPC call."""

    def __init__(
        self,
        store: RequestStore,
        stats: RequestStats,
        journal: TransactionJournal,
        model_name: Callable[[bytes], str | None],
        chain_head: Callable[[], int],
    ) -> None:
        self._store = store
        self._stats = stats
        self._journal = journal
        self._model_name = model_name
        self._chain_head = chain_head

    def describe(self) -> list[Metric]:
        return []  # collected only when scraped, never at registration

    def collect(self) -> Iterator[Metric]:
        yield from self._requests()
        yield from self._latencies()
        yield from self._transactions()
        yield from self._chain()

    def _requests(self) -> Iterator[Metric]:
        by_state = GaugeMetricFamily("oracle_requests", "requests in the node's store, by state", labels=["state"])
        for state, count in self._store.counts_by_state().items():
            by_state.add_metric([state.value], count)
        yield by_state
        answers = GaugeMetricFamily(
            "oracle_answers", "requests the node has answered, by answer status", labels=["status"]
        )
        for status, count in self._stats.answers_by_status().items():
            answers.add_metric([status.name], count)
        yield answers

    def _latencies(self) -> Iterator[Metric]:
        yield self._histogram(
            "oracle_request_end_to_end_seconds",
            "seconds from the node reading a request to its answer confirmed on chain",
            self._stats.end_to_end(END_TO_END_BUCKETS),
        )
        yield self._histogram(
            "oracle_inference_seconds",
            "model inference time per request (its share of its batch)",
            self._stats.inference(INFERENCE_BUCKETS),
        )

    def _histogram(self, name: str, documentation: str, per_model: dict[bytes, StoredHistogram]) -> Metric:
        family = HistogramMetricFamily(name, documentation, labels=["model"])
        for model_id, histogram in sorted(per_model.items()):
            buckets = [(repr(float(b)), c) for b, c in zip(histogram.bounds, histogram.counts, strict=True)]
            buckets.append(("+Inf", histogram.count))
            family.add_metric([self._label(model_id)], buckets, histogram.total)
        return family

    def _label(self, model_id: bytes) -> str:
        return self._model_name(model_id) or "0x" + model_id.hex()

    def _transactions(self) -> Iterator[Metric]:
        stats = self._journal.stats()
        states = GaugeMetricFamily("oracle_transactions", "the node's transactions, by state", labels=["state"])
        for state in ("pending", "mined", "reverted", "dropped"):
            states.add_metric([state], getattr(stats, state))
        yield states
        yield CounterMetricFamily(
            "oracle_transaction_replacements", "fee-bumped replacements sent for stuck transactions", stats.replacements
        )
        yield CounterMetricFamily(
            "oracle_transaction_gas_used", "gas used by the node's mined and reverted transactions", stats.gas_used
        )
        yield CounterMetricFamily(
            "oracle_transaction_fees_wei", "fees paid by the node (gas used x effective gas price)", stats.fees_paid_wei
        )

    def _chain(self) -> Iterator[Metric]:
        checkpoint = self._store.checkpoints.get()
        if checkpoint is not None:
            yield GaugeMetricFamily(
                "oracle_listener_block", "last block the listener has read", checkpoint.block_number
            )
        try:
            head = self._chain_head()
        except Exception as error:
            log.warning("metrics: chain head unavailable (%s)", type(error).__name__)
            yield GaugeMetricFamily("oracle_chain_up", "1 if the chain answered this scrape", 0)
            return
        yield GaugeMetricFamily("oracle_chain_up", "1 if the chain answered this scrape", 1)
        yield GaugeMetricFamily("oracle_chain_head_block", "latest block number of the chain", head)
        if checkpoint is not None:
            yield GaugeMetricFamily(
                "oracle_chain_head_lag_blocks",
                "blocks between the chain head and the listener's checkpoint (includes the confirmation depth)",
                head - checkpoint.block_number,
            )


class ApiMetrics:
    """The registry /metrics serves, with the API process's own counters."""

    def __init__(self, node: NodeCollector | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        if node is not None:
            self.registry.register(node)
        self.http_requests = Counter(
            "oracle_api_http_requests",
            "HTTP requests answered, by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "oracle_api_http_request_duration_seconds",
            "time to answer an HTTP request",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )
        self.pull_reports = Counter(
            "oracle_api_pull_reports",
            "pull-mode reports signed, by model and status",
            ["model", "status"],
            registry=self.registry,
        )

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_seconds.labels(method, route).observe(seconds)
