"""End-to-end figures of the real node process on a local anvil: latency and sustained throughput.

Run with `make bench` (or `python -m benchmarks.node` inside the project's venv); writes
benchmarks/results/node.json.

- latency: one request at a time; from the moment its transaction is mined (receipt in hand) to the
  moment the consumer's callback is visible on chain (the fulfilment mined), polled every 0.5 ms.
- throughput (THROUGHPUT_ROUNDS rounds): a backlog of REQUESTS requests (sent by separate processes and mined while the node is
  stopped), then the node started: fulfilled predictions per second from its first tick (models loaded)
  until the consumer has received every answer.
- lost = requests never answered; duplicated = requests answered more than once, plus reports the
  coordinator skipped as already answered (a second send).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from brownie import network, project
from eth_utils import keccak

from benchmarks.gas import loaded_machine
from benchmarks.onchain import ROOT, WARM_UP, ChainBench, percentile, summary
from scripts.node_process import NodeProcess

RESULTS = ROOT / "benchmarks" / "results" / "node.json"
NODE_KEY = keccak(text="benchmark oracle node")
LATENCY_SAMPLES = 200
REQUESTS = 1_200
THROUGHPUT_ROUNDS = 3
NODE_SETTINGS = {"poll_interval": 0.002, "max_batch": 100, "max_in_flight": 8, "confirmations": 0}


class NodeBench(ChainBench):
    def __init__(self, contracts, workdir: Path) -> None:
        super().__init__(contracts, [NODE_KEY], 1)
        self.node = NodeProcess(self.rpc_url, self.coordinator.address, NODE_KEY, workdir, **NODE_SETTINGS)

    def node_stages(self) -> dict:
        """Per request, from the node's own store: read -> predicted -> sent (the node's share of the latency)."""
        with sqlite3.connect(self.node.database) as db:
            rows = db.execute(
                "SELECT predicted_at - seen_at, sent_at - predicted_at, sent_at - seen_at FROM requests"
                " WHERE sent_at IS NOT NULL ORDER BY block_number LIMIT ? OFFSET ?",
                (LATENCY_SAMPLES, WARM_UP),
            ).fetchall()
        names = ("stored_to_predicted", "predicted_to_sent", "stored_to_sent")
        return {name: percentile([row[i] * 1000 for row in rows], 50) for i, name in enumerate(names)}

    def _restart(self) -> float:
        """Starts the node; returns the moment it has loaded its models and begins its first tick."""
        runs_before = self.node.log().count("node running")
        self.node.start()
        while self.node.log().count("node running") == runs_before:
            time.sleep(0.002)
        return time.perf_counter()

    def throughput(self) -> dict:
        """A backlog of REQUESTS requests, mined while the node is stopped, then drained by the node."""
        tally = super().throughput(REQUESTS, self.node.stop, self._restart)
        skipped = sum(tally.pop("skipped_reports").values())
        tally["duplicated"] = tally.pop("duplicated_answers") + skipped
        keys = ("requests", "fulfilled", "lost", "duplicated", "seconds", "predictions_per_second")
        return {**{k: tally.pop(k) for k in keys}, **tally}


def run() -> dict:
    load_before = os.getloadavg()
    contracts = project.load(ROOT, name="AiOracleNodeBench")
    network.connect("development")
    workdir = Path(tempfile.mkdtemp(prefix="node-bench-"))
    bench = NodeBench(contracts, workdir)
    bench.node.start()
    try:
        deadline = time.monotonic() + 60
        while "node running" not in bench.node.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        latency, _ = bench.latency(LATENCY_SAMPLES)
        stages = bench.node_stages()
        rounds = [bench.throughput() for _ in range(THROUGHPUT_ROUNDS)]
    finally:
        bench.node.stop()
        network.disconnect()
    latency_ms, throughput = summary(latency, rounds)
    throughput["duplicated"] = sum(r["duplicated"] for r in rounds)
    return {
        "command": "make bench  (python -m benchmarks.node)",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": loaded_machine(load_before),
        "node_settings": NODE_SETTINGS,
        "model": {"name": "credit-risk", "artifact_sha256": bench.model.artifact_hash.hex()},
        "latency_ms": {**latency_ms, "node_stages_p50_ms": stages},
        "throughput": {k: throughput[k] for k in ("rounds", "requests", "lost", "duplicated")}
        | {k: v for k, v in throughput.items() if k.startswith("predictions")},
        "targets": {"latency_p50_ms": 10, "predictions_per_second": 1500, "lost": 0, "duplicated": 0},
    }


def main() -> None:
    results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("latency_ms", "throughput")}, indent=2))


if __name__ == "__main__":
    main()
