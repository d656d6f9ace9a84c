"""End-to-end figures of a 4-node, 3-of-4 oracle network on a local anvil: latency, sustained throughput,
answers lost or sent twice, and gas per fulfilment.

Run with `make bench` (or `python -m benchmarks.network` inside the project's venv, in a network namespace of
its own if other chains may listen on 127.0.0.1:8545); writes benchmarks/results/network.json.

- nodes: N real `oracle node run` processes, each with its own key and store, serving its API from the node
  process; every node posts its observations straight to the others' APIs on loopback. The coordinator's
  threshold is K: a report carries K agreeing signed observations, sent by the request's first transmitter
  (the others wait transmit_stagger seconds, then send only if the request is still pending).
- latency: one request at a time; from the moment its transaction is mined (receipt in hand) to the moment
  the consumer's callback is visible on chain (the fulfilment mined), polled every 0.5 ms.
- throughput (THROUGHPUT_ROUNDS rounds): every node frozen (SIGSTOP), a backlog of REQUESTS requests sent by
  separate processes and mined, every node resumed (SIGCONT) at once: fulfilled predictions per second from
  the resume until the consumer has received every answer.
- lost = requests never answered; duplicated = requests with more than one PredictionFulfilled (the
  coordinator refuses a second answer, so a second send shows as a ReportSkipped with
  OracleCoordinatorUnknownRequest, counted apart).
- gas: gasUsed of each fulfillBatch transaction divided by its reports (K signatures each, the consumer's
  callback included), by batch size: size 1 from the latency run, the others from the backlogs.
- with --baseline TREE, the same figures are measured first with the node processes run from TREE (a copy of
  this tree with the files before a change), on the same chain, for a before/after side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from brownie import network, project
from eth_account import Account
from eth_utils import keccak

import scripts.node_process
from benchmarks.gas import machine
from benchmarks.onchain import ROOT, UNKNOWN_REQUEST, ChainBench, gas_summary, percentile, summary
from scripts.node_process import NodeProcess, wait_for
from scripts.ports import free_port

RESULTS = ROOT / "benchmarks" / "results" / "network.json"
N, K = 4, 3
KEYS = [keccak(text=f"benchmark oracle network node {i}") for i in range(N)]
LATENCY_SAMPLES = 200
REQUESTS = 1_200
THROUGHPUT_ROUNDS = 3
NODE_SETTINGS = {
    "poll_interval": 0.01,
    "max_batch": 100,
    "max_in_flight": 8,
    "confirmations": 0,
    "transmit_stagger": 20.0,
    "serve_api": "true",
    "log_level": "WARNING",
}
# a late transmitter sends only after the stagger, which a round never reaches: bounded by K - 1 per request
SKIPPED_BOUND_PER_REQUEST = K - 1


class NetworkBench(ChainBench):
    def __init__(self, contracts) -> None:
        super().__init__(contracts, KEYS, K)
        self.nodes: list[NodeProcess] = []

    def start_nodes(self, tree: Path) -> None:
        """N node processes run from `tree` (its `oracle` package and models), each peer reached at its API."""
        scripts.node_process.REPO = tree  # where NodeProcess runs `python -m oracle` and finds the models
        workdir = Path(tempfile.mkdtemp(prefix="network-bench-"))
        addresses = [Account.from_key(key).address for key in KEYS]
        ports = [free_port() for _ in KEYS]
        self.nodes = []
        for i, key in enumerate(KEYS):
            peers = ",".join(f"{addresses[j]}@http://127.0.0.1:{ports[j]}" for j in range(N) if j != i)
            directory = workdir / f"node{i}"
            directory.mkdir()
            node = NodeProcess(
                self.rpc_url, self.coordinator.address, key, directory, peers=peers, api_port=ports[i], **NODE_SETTINGS
            )
            self.nodes.append(node.start())
        for i, node in enumerate(self.nodes):
            wait_for(lambda p=ports[i]: _answers(p), 120, f"node {i}'s API", node)

    def stop_nodes(self) -> None:
        for node in self.nodes:
            node.stop()

    def _signal(self, signum: int) -> float:
        for node in self.nodes:
            assert node.process is not None
            node.process.send_signal(signum)
        return time.perf_counter()

    def throughput(self) -> dict:
        """A backlog of REQUESTS requests, mined while every node is frozen, then drained by the network."""
        return super().throughput(
            REQUESTS, lambda: self._signal(signal.SIGSTOP), lambda: self._signal(signal.SIGCONT), self._check_alive
        )

    def _check_alive(self) -> None:
        for i, node in enumerate(self.nodes):
            if not node.alive():
                code = node.process.returncode if node.process else None
                raise RuntimeError(f"node {i} exited with {code} mid-round:\n{node.log()[-2000:]}")

    def node_stages(self, first_block: int) -> dict:
        """Per latency request, from the store of the node that sent it: read -> predicted -> the K-th agreeing
        observation in hand -> sent (the nodes' share of the latency)."""
        rows = []
        for node in self.nodes:
            with sqlite3.connect(node.database) as db:
                rows += db.execute(
                    "SELECT r.block_number, r.predicted_at - r.seen_at,"
                    " (SELECT o.received_at FROM observations o WHERE o.request_id = r.request_id"
                    "  ORDER BY o.received_at LIMIT 1 OFFSET ?) - r.predicted_at,"
                    " r.sent_at - r.predicted_at, r.sent_at - r.seen_at FROM requests r"
                    " WHERE r.sent_at IS NOT NULL AND r.block_number >= ? ORDER BY r.block_number LIMIT ?",
                    (K - 1, first_block, LATENCY_SAMPLES),
                ).fetchall()
        rows = sorted(rows)[:LATENCY_SAMPLES]
        names = ("stored_to_predicted", "predicted_to_quorum", "predicted_to_sent", "stored_to_sent")
        return {
            name: percentile([row[i + 1] * 1000 for row in rows if row[i + 1] is not None], 50)
            for i, name in enumerate(names)
        }

    def measure(self, tree: Path) -> dict:
        self.start_nodes(tree)
        try:
            latency, first_block = self.latency(LATENCY_SAMPLES)
            latency_end = self.w3.eth.block_number
            stages = self.node_stages(first_block)
            rounds = [self.throughput() for _ in range(THROUGHPUT_ROUNDS)]
        finally:
            self.stop_nodes()
        latency_ms, throughput = summary(latency, rounds)
        skipped = [r["skipped_reports"].get(UNKNOWN_REQUEST, 0) for r in rounds]
        throughput["duplicated"] = sum(r["duplicated_answers"] for r in rounds)
        throughput["skipped_as_already_answered"] = sum(skipped)
        throughput["skipped_bound"] = f"<= {SKIPPED_BOUND_PER_REQUEST} per request (K - 1 late transmitters)"
        return {
            "tree": str(tree),
            "latency_ms": {**latency_ms, "node_stages_p50_ms": stages},
            "throughput": throughput,
            "gas_per_fulfilment": {
                "batch_size_1": gas_summary(self.fulfil_gas(first_block, latency_end)).get("1"),
                "by_batch_size": gas_summary(self.fulfil_gas(latency_end + 1)),
            },
        }


def _answers(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _commit() -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    return run.stdout.strip() + (" (with uncommitted changes in the tree)" if dirty.stdout.strip() else "")


def run(baseline: Path | None) -> dict:
    load_before = _uptime()
    contracts = project.load(ROOT, name="AiOracleNetworkBench")
    network.connect("development")
    try:
        bench = NetworkBench(contracts)
        before = bench.measure(baseline) if baseline is not None else None
        after = bench.measure(ROOT)
    finally:
        network.disconnect()
    results = {
        "command": "make bench  (python -m benchmarks.network)",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": {**machine(), "cores": os.cpu_count()},
        "load": {"before": load_before, "after": _uptime()},
        "git_commit": _commit(),
        "network": {"nodes": N, "threshold": K, "peers": "each node posts to every other node's API on loopback"},
        "node_settings": NODE_SETTINGS,
        "requests": {"latency_samples": LATENCY_SAMPLES, "backlog": REQUESTS, "rounds": THROUGHPUT_ROUNDS},
        "model": {"name": "credit-risk", "artifact_sha256": bench.model.artifact_hash.hex()},
        **{k: v for k, v in after.items() if k != "tree"},
        "targets": {
            "latency_p50_ms": 50,
            "predictions_per_second": 400,
            "lost": 0,
            "duplicated": 0,
            "fulfil_k3_gas": 72_000,
        },
    }
    if before is not None:
        results["before_after"] = {"before": before, "after": {"tree": after["tree"]} | _brief(after)}
        results["before_after"]["before"] = {"tree": before["tree"]} | _brief(before)
    return results


def _brief(measured: dict) -> dict:
    t = measured["throughput"]
    return {
        "latency_ms": measured["latency_ms"],
        "predictions_per_second": [r["predictions_per_second"] for r in t["rounds"]],
        "predictions_per_second_median": t["predictions_per_second_median"],
        "lost": t["lost"],
        "duplicated": t["duplicated"],
        "skipped_as_already_answered": t["skipped_as_already_answered"],
        "mean_reports_per_fulfil_transaction": statistics.median(
            r["mean_reports_per_fulfil_transaction"] for r in t["rounds"]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="measure the node processes of this tree first (before/after)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the figures")
    parser.add_argument(
        "--poll-interval", type=float, default=NODE_SETTINGS["poll_interval"], help="each node's ORACLE_POLL_INTERVAL"
    )
    args = parser.parse_args()
    NODE_SETTINGS["poll_interval"] = args.poll_interval
    results = run(args.baseline)
    results["command"] = (
        "python -m benchmarks.network"
        + (f" --baseline {args.baseline}" if args.baseline is not None else "")
        + f" --poll-interval {args.poll_interval}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    keys = ("load", "latency_ms", "throughput", "gas_per_fulfilment", "before_after")
    print(json.dumps({k: results[k] for k in keys if k in results}, indent=2))


if __name__ == "__main__":
    main()
