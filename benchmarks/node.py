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

import contextlib
import io
import json
import multiprocessing
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from brownie import accounts, network, project
from eth_account import Account
from eth_utils import keccak

from benchmarks.gas import machine
from oracle.chain.coordinator import Coordinator
from oracle.ml.model import LoadedModel
from oracle.node_process import NodeProcess
from oracle.types import model_id

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "node.json"
MODEL_DIR = ROOT / "models" / "credit-risk"
NODE_KEY = keccak(text="benchmark oracle node")
FEE_WEI = 10**15
CALLBACK_GAS = 150_000
LATENCY_SAMPLES = 200
REQUESTS = 1_200
THROUGHPUT_ROUNDS = 3
SENDERS = 2
NODE_SETTINGS = {"poll_interval": 0.002, "max_batch": 100, "max_in_flight": 8, "confirmations": 0}


def held_out_features(model: LoadedModel) -> list[list[int]]:
    import csv

    names = model.schema.feature_names
    with (MODEL_DIR / "held_out.csv").open() as rows:
        return [[int(row[n]) for n in names] for row in csv.DictReader(rows)]


def _send_requests(rpc_url: str, consumer: str, abi: list, sender: str, rows: list, deadline: int, queue) -> None:
    """A load generator in its own process: sends every request without waiting, then waits for the receipts."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(rpc_url))
    contract = w3.eth.contract(address=consumer, abi=abi)
    hashes = [
        contract.functions.request(model_id("credit-risk"), features, deadline, CALLBACK_GAS).transact(
            {"from": sender, "value": FEE_WEI, "gas": 300_000}
        )
        for features in rows
    ]
    blocks = [w3.eth.wait_for_transaction_receipt(h)["blockNumber"] for h in hashes]
    queue.put(blocks)


class NodeBench:
    def __init__(self, contracts, workdir: Path) -> None:
        owner = accounts[0]
        self.model = LoadedModel.from_dir(MODEL_DIR)
        self.rows = held_out_features(self.model)
        node_account = Account.from_key(NODE_KEY)
        with contextlib.redirect_stdout(io.StringIO()):
            self.coordinator = contracts.OracleCoordinator.deploy(owner, [node_account.address], 1, {"from": owner})
            self.coordinator.registerModel(
                model_id("credit-risk"), self.model.artifact_hash, self.model.schema_hash, FEE_WEI, {"from": owner}
            )
            self.consumer = contracts.ConsumerMock.deploy(self.coordinator, {"from": owner})
            owner.transfer(node_account.address, "1000 ether")
        self.w3 = network.web3
        self.rpc_url = self.w3.provider.endpoint_uri
        self.consumer_web3 = self.w3.eth.contract(address=self.consumer.address, abi=self.consumer.abi)
        self.coordinator_view = Coordinator(self.w3, self.coordinator.address)
        self.node = NodeProcess(self.rpc_url, self.coordinator.address, NODE_KEY, workdir, **NODE_SETTINGS)

    def deadline(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"] + 3_600

    def fulfilled_count(self) -> int:
        return self.consumer_web3.functions.answers().call()

    def _raw(self, method: str, params: list):
        """A JSON-RPC call without web3's result formatters: the measuring loop should cost the chain and the
        node (which share this machine's two cores) as little as possible."""
        return self.w3.provider.make_request(method, params)["result"]

    def _answers_raw(self) -> int:
        return int(self._raw("eth_call", [{"to": self.consumer.address, "data": self._answers_selector}, "latest"]), 16)

    def latency(self) -> list[float]:
        samples = []
        sender = accounts[1].address
        self._answers_selector = "0x" + keccak(text="answers()")[:4].hex()
        for i in range(LATENCY_SAMPLES + 10):
            before = self._answers_raw()
            tx = self.consumer_web3.functions.request(
                model_id("credit-risk"), self.rows[i % len(self.rows)], self.deadline(), CALLBACK_GAS
            ).transact({"from": sender, "value": FEE_WEI, "gas": 300_000})
            while self._raw("eth_getTransactionReceipt", ["0x" + bytes(tx).hex()]) is None:
                time.sleep(0.0005)
            mined = time.perf_counter()
            while self._answers_raw() == before:
                time.sleep(0.0005)
            if i >= 10:  # the first few warm the node's caches and the journal
                samples.append((time.perf_counter() - mined) * 1000)
        return samples

    def node_stages(self) -> dict:
        """Per request, from the node's own store: read -> predicted -> sent (the node's share of the latency)."""
        with sqlite3.connect(self.node.database) as db:
            rows = db.execute(
                "SELECT predicted_at - seen_at, sent_at - predicted_at, sent_at - seen_at FROM requests"
                " WHERE sent_at IS NOT NULL ORDER BY block_number LIMIT ? OFFSET 10",
                (LATENCY_SAMPLES,),
            ).fetchall()
        names = ("stored_to_predicted", "predicted_to_sent", "stored_to_sent")
        return {name: percentile([row[i] * 1000 for row in rows], 50) for i, name in enumerate(names)}

    def throughput(self) -> dict:
        """A backlog of REQUESTS requests, mined while the node is stopped, then drained by the node."""
        self.node.stop()
        start_count = self.fulfilled_count()
        start_block = self.w3.eth.block_number + 1
        deadline = self.deadline()
        queue = multiprocessing.Queue()
        per_sender = REQUESTS // SENDERS
        senders = [
            multiprocessing.Process(
                target=_send_requests,
                args=(
                    self.rpc_url,
                    self.consumer.address,
                    self.consumer.abi,
                    accounts[2 + s].address,
                    [self.rows[(s * per_sender + i) % len(self.rows)] for i in range(per_sender)],
                    deadline,
                    queue,
                ),
            )
            for s in range(SENDERS)
        ]
        for process in senders:
            process.start()
        for process in senders:
            process.join()
        runs_before = self.node.log().count("node running")
        self.node.start()
        while self.node.log().count("node running") == runs_before:
            time.sleep(0.002)
        started = time.perf_counter()  # the node has loaded its models and begins its first tick
        while self.fulfilled_count() - start_count < REQUESTS:
            time.sleep(0.005)
            if time.perf_counter() - started > 600:
                break
        finished = time.perf_counter()
        requested = self.coordinator_view.requests(start_block)
        fulfilled = [a for a in self.coordinator_view.answers(start_block) if a.kind == "fulfilled"]
        request_ids = [e.request_id for e in requested]
        answered: dict[bytes, int] = {}
        for answer in fulfilled:
            answered[answer.request_id] = answered.get(answer.request_id, 0) + 1
        skipped = self.coordinator_view.skipped_reports(start_block)
        first_request_block = min(e.block_number for e in requested)
        last_fulfil_block = max(a.block_number for a in fulfilled)
        fulfil_txs = {a.tx_hash for a in fulfilled}
        return {
            "requests": len(request_ids),
            "fulfilled": sum(1 for i in request_ids if answered.get(i)),
            "lost": sum(1 for i in request_ids if not answered.get(i)),
            "duplicated": sum(n - 1 for n in answered.values() if n > 1) + len(skipped),
            "seconds": round(finished - started, 3),
            "predictions_per_second": round(len(answered) / (finished - started), 1),
            "blocks_from_first_request_to_last_fulfilment": last_fulfil_block - first_request_block + 1,
            "fulfil_transactions": len(fulfil_txs),
            "mean_reports_per_fulfil_transaction": round(len(fulfilled) / max(len(fulfil_txs), 1), 1),
        }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 2)


def run() -> dict:
    contracts = project.load(ROOT, name="AiOracleNodeBench")
    network.connect("development")
    workdir = Path(tempfile.mkdtemp(prefix="node-bench-"))
    bench = NodeBench(contracts, workdir)
    bench.node.start()
    try:
        deadline = time.monotonic() + 60
        while "node running" not in bench.node.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        latency = bench.latency()
        stages = bench.node_stages()
        rounds = [bench.throughput() for _ in range(THROUGHPUT_ROUNDS)]
    finally:
        bench.node.stop()
        network.disconnect()
    return {
        "command": "make bench  (python -m benchmarks.node)",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": {**machine(), "cores": os.cpu_count()},
        "node_settings": NODE_SETTINGS,
        "model": {"name": "credit-risk", "artifact_sha256": bench.model.artifact_hash.hex()},
        "latency_ms": {
            "samples": len(latency),
            "p50": percentile(latency, 50),
            "p95": percentile(latency, 95),
            "p99": percentile(latency, 99),
            "mean": round(statistics.fmean(latency), 2),
            "node_stages_p50_ms": stages,
        },
        "throughput": {
            "rounds": rounds,
            "requests": sum(r["requests"] for r in rounds),
            "lost": sum(r["lost"] for r in rounds),
            "duplicated": sum(r["duplicated"] for r in rounds),
            "predictions_per_second_median": statistics.median(r["predictions_per_second"] for r in rounds),
            "predictions_per_second_min": min(r["predictions_per_second"] for r in rounds),
            "predictions_per_second_max": max(r["predictions_per_second"] for r in rounds),
        },
        "targets": {"latency_p50_ms": 20, "predictions_per_second": 500, "lost": 0, "duplicated": 0},
    }


def main() -> None:
    results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("latency_ms", "throughput")}, indent=2))


if __name__ == "__main__":
    main()
