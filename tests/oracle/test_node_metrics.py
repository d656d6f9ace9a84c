"""The node's own /metrics: its counters and gauges, and any metric another module puts in the default registry."""

import httpx
from prometheus_client import Counter
from prometheus_client.parser import text_string_to_metric_families

from oracle.node_metrics import REPORTS_SKIPPED, TICK_FAILURES, MetricsServer, NodeGauges


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_node_serves_its_metrics_and_the_default_registrys(tmp_path):
    other_helpers = Counter("oracle_test_fault_events", "a metric another module defines")
    other_helpers.inc(3)
    TICK_FAILURES.inc()
    REPORTS_SKIPPED.labels("OracleCoordinatorRequestNotPending").inc()

    def no_chain() -> int:
        raise ConnectionError("refused")

    balances = iter([7 * 10**18])
    gauges = NodeGauges(
        balance_wei=lambda: next(balances, None) or no_chain(),
        fees_paid_wei=lambda: 21_000 * 10**9,
        oldest_sent_at=lambda: 1_000.0,
        clock=lambda: 1_090.0,
    )
    server = MetricsServer(gauges, "127.0.0.1", 0).start()
    try:
        first, second = scrape(server.port), scrape(server.port)
    finally:
        server.stop()

    assert first[("oracle_node_signer_balance_wei", ())] == 7 * 10**18
    assert first[("oracle_node_fees_spent_wei_total", ())] == 21_000 * 10**9
    assert first[("oracle_node_oldest_sent_seconds", ())] == 90.0
    assert first[("oracle_node_tick_failures_total", ())] >= 1
    skipped = ("oracle_node_reports_skipped_total", (("reason", "OracleCoordinatorRequestNotPending"),))
    assert first[skipped] >= 1
    assert first[("oracle_test_fault_events_total", ())] == 3
    assert ("oracle_tx_dropped_total", ()) in first  # the fault counters' own registry is served too
    # the chain down at a scrape: the balance is left out, the rest is served
    assert ("oracle_node_signer_balance_wei", ()) not in second
    assert second[("oracle_node_oldest_sent_seconds", ())] == 90.0
