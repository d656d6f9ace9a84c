"""The real node process serves its own Prometheus metrics on ORACLE_METRICS_PORT."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from scripts.node_process import wait_for
from scripts.ports import free_port


def scrape(port: int) -> dict[str, float] | None:
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels}


def test_the_node_exports_its_metrics(start_node, requests, held_out_rows):
    port = free_port()
    node = start_node(metrics_port=port)
    ids = requests.send([features for features, _ in held_out_rows[:3]])
    wait_for(lambda: len(requests.answers()) >= len(ids), 60, "3 answers", node)

    def settled():
        metrics = scrape(port)
        return metrics if metrics and metrics.get("oracle_node_fees_spent_wei_total", 0) > 0 else None

    metrics = wait_for(settled, 20, "the fees of the answers in the node's metrics", node)
    assert metrics["oracle_node_signer_balance_wei"] > 0
    assert metrics["oracle_node_oldest_sent_seconds"] >= 0
    assert metrics["oracle_node_tick_failures_total"] == 0
