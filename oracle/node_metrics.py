"""The node process's own Prometheus metrics, served on ORACLE_METRICS_PORT from prometheus_client's default
registry (so every metric another module defines there, such as oracle/chain/fault_metrics.py, appears too).

Counters are incremented where things happen (failed ticks here, RPC errors in oracle/chain/rpc.py); the
gauges read the store and the chain when Prometheus scrapes (NodeGauges).
"""

from __future__ import annotations

from prometheus_client import Counter

TICK_FAILURES = Counter("oracle_node_tick_failures_total", "Node ticks that raised (each backed off and retried)")
RPC_ERRORS = Counter(
    "oracle_node_rpc_errors_total",
    "JSON-RPC calls that got no answer, by kind (timeout: hung or overloaded endpoint; connection: refused or reset)",
    ["kind"],
)
