"""The store on PostgreSQL next to SQLite, in one run: node throughput, API throughput, and fail-over time.

Run with `make bench` (or `python -m benchmarks.postgres` inside the project's venv); writes
benchmarks/results/postgres.json. PostgreSQL: ORACLE_TEST_DATABASE_URL, else the local server the tests use
(tests/postgres.py), in a fresh database dropped afterwards.

- node throughput (ROUNDS rounds per engine, a coordinator of its own per engine): a backlog of REQUESTS
  requests mined while the node is stopped, then the node started: fulfilled predictions per second from
  its first tick until the consumer has every answer (as benchmarks/node.py measures it).
- API throughput: `oracle api` (one uvicorn process) over each store, POST /v1/predictions with an API key
  (a key lookup and, on PostgreSQL, a shared rate-limit counter per request), API_CONCURRENCY requests in
  flight for API_SECONDS after a warm-up (benchmarks/api_load.py); on PostgreSQL also two replicas on one
  database, each under the same load, summed.
- fail-over (FAILOVER_ROUNDS rounds): two node processes for one key on PostgreSQL, one active, one standby.
  The active one is killed with SIGKILL and a request sent at once; the time from the kill to the
  standby's answer visible on chain. The killed process is restarted as the next round's standby.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from brownie import accounts, network, project

from benchmarks.api import SUBJECT, ApiBench
from benchmarks.gas import loaded_machine
from benchmarks.node import NODE_KEY, NODE_SETTINGS
from benchmarks.onchain import CALLBACK_GAS, FEE_WEI, ROOT, ChainBench
from oracle.store.api_keys import ApiKeyStore, Scope
from oracle.store.engines import open_database
from oracle.types import model_id
from scripts.node_process import NodeProcess, wait_for
from scripts.ports import free_port
from tests.postgres import ScratchDatabase, server_url

RESULTS = ROOT / "benchmarks" / "results" / "postgres.json"
REQUESTS = 600
ROUNDS = 2
API_CONCURRENCY = 16
API_SECONDS = 10.0
FAILOVER_ROUNDS = 5
CONSUMER = "0x5FbDB2315678afecb367f032d93F642f64180aa3"  # the contract a pull report is bound to


def node_throughput(bench: ChainBench, target: str | Path, workdir: Path) -> dict:
    node = NodeProcess(bench.rpc_url, bench.coordinator.address, NODE_KEY, workdir, **NODE_SETTINGS, database=target)

    def restart() -> float:
        runs_before = node.log().count("node running")
        node.start()
        while node.log().count("node running") == runs_before:
            time.sleep(0.002)
            if not node.alive():
                raise RuntimeError(node.log()[-3000:])
        return time.perf_counter()

    try:
        rounds = [bench.throughput(REQUESTS, node.stop, restart) for _ in range(ROUNDS)]
    finally:
        node.stop()
    rates = [r["predictions_per_second"] for r in rounds]
    return {
        "requests_per_round": REQUESTS,
        "rounds": len(rounds),
        "lost": sum(r["lost"] for r in rounds),
        "duplicated": sum(r["duplicated_answers"] + sum(r["skipped_reports"].values()) for r in rounds),
        "predictions_per_second_median": round(statistics.median(rates), 1),
        "predictions_per_second_each": rates,
    }


def api_bench(contracts, workdir: Path) -> ApiBench:
    """A coordinator serving credit-risk for the API servers, and the bodies of the predictions they are asked."""
    bench = ApiBench(contracts, workdir)
    bench.bodies.write_text(
        json.dumps(
            [{"model": "credit-risk", "features": f, "subject": SUBJECT, "consumer": CONSUMER} for f in bench.rows]
        )
    )
    return bench


def api_throughput(bench: ApiBench, targets: list[str | Path], workdir: Path) -> dict:
    """`oracle api` over each target (one server per target, all on one store), loaded at once; summed."""
    db = open_database(targets[0])
    _, bench.key = ApiKeyStore(db).create("bench", [Scope.PREDICT], rate_limit=1_000_000)
    db.close()
    servers, urls = [], []
    try:
        for index, target in enumerate(targets):
            bench.workdir = workdir / f"server-{index}"
            bench.workdir.mkdir()
            bench.settings = bench.settings.model_copy(update={"database": target, "api_port": free_port()})
            bench.database = target
            bench.url = f"http://127.0.0.1:{bench.settings.api_port}"
            servers.append(bench.start_server())
            urls.append(bench.url)
        results: list[dict] = [{} for _ in urls]

        def load(index: int) -> None:
            bench_copy = ApiBench.__new__(ApiBench)
            bench_copy.__dict__.update(bench.__dict__, url=urls[index])
            results[index] = bench_copy.load(API_CONCURRENCY, bench.bodies, API_SECONDS)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(len(urls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)
    return {
        "servers": len(urls),
        "concurrency_per_server": API_CONCURRENCY,
        "requests_per_second": round(sum(r["requests_per_second"] for r in results), 1),
        "non_200": sum(r["non_200"] for r in results),
        "latency_ms_p50": [r["latency_ms"]["p50"] for r in results],
        "latency_ms_p99": [r["latency_ms"]["p99"] for r in results],
    }


def failover(bench: ChainBench, target: str, workdir: Path) -> dict:
    nodes = [
        NodeProcess(
            bench.rpc_url, bench.coordinator.address, NODE_KEY, workdir / name, **NODE_SETTINGS, database=target
        )
        for name in ("a", "b")
    ]
    for node in nodes:
        node.workdir.mkdir()
    sender = accounts[1].address
    rows = iter(bench.rows * 10)

    def request() -> None:
        bench.consumer_web3.functions.request(
            model_id("credit-risk"), next(rows), bench.deadline(), CALLBACK_GAS
        ).transact({"from": sender, "value": FEE_WEI, "gas": 300_000})

    def answered_after(before: int) -> None:
        while bench.fulfilled_count() == before:
            time.sleep(0.001)

    seconds = []
    active, standby = nodes
    try:
        active.start()
        wait_for(lambda: "node running" in active.log(), 120, "the active node", active)
        standby.start()
        for _ in range(FAILOVER_ROUNDS):
            wait_for(lambda s=standby: "standby:" in s.log().rsplit("--- start", 1)[-1], 120, "the standby", standby)
            before = bench.fulfilled_count()
            request()
            answered_after(before)  # the active node is working
            before = bench.fulfilled_count()
            killed = time.perf_counter()
            active.kill()
            request()
            answered_after(before)
            seconds.append(round(time.perf_counter() - killed, 3))
            active.start()  # the next round's standby
            active, standby = standby, active
    finally:
        for node in nodes:
            node.stop()
    return {
        "rounds": len(seconds),
        "seconds_each": seconds,
        "seconds_median": round(statistics.median(seconds), 3),
        "seconds_max": max(seconds),
        "lease_poll_seconds": 0.5,
    }


def run() -> dict:
    url, reason = server_url()
    if url is None:
        raise SystemExit(f"benchmarks.postgres needs a PostgreSQL server: {reason}")
    load_before = os.getloadavg()
    scratch = ScratchDatabase(url)
    contracts = project.load(ROOT, name="AiOraclePostgresBench")
    network.connect("development")
    workdir = Path(tempfile.mkdtemp(prefix="postgres-bench-"))
    try:
        targets = {"sqlite": lambda name: workdir / name / "oracle.db", "postgresql": lambda name: scratch.schema_url()}
        for name in ("api", "failover", *(f"{kind}-{engine}" for kind in ("node", "api") for engine in targets)):
            (workdir / name).mkdir()
        # every contract deployed before any node or API process runs
        node_benches = {engine: ChainBench(contracts, [NODE_KEY], 1) for engine in targets}
        failover_bench = ChainBench(contracts, [NODE_KEY], 1)
        api = api_bench(contracts, workdir / "api")
        nodes = {
            engine: node_throughput(node_benches[engine], target(f"node-{engine}"), workdir / f"node-{engine}")
            for engine, target in targets.items()
        }
        apis = {
            engine: api_throughput(api, [target(f"api-{engine}")], workdir / f"api-{engine}")
            for engine, target in targets.items()
        }
        shared = scratch.schema_url()
        (workdir / "api-replicas").mkdir()
        apis["postgresql_2_replicas"] = api_throughput(api, [shared, shared], workdir / "api-replicas")
        failed_over = failover(failover_bench, scratch.schema_url(), workdir / "failover")
    finally:
        network.disconnect()
        scratch.drop()
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "command": "make bench  (python -m benchmarks.postgres)",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": loaded_machine(load_before, postgresql=postgres or "server on the local socket"),
        "node_settings": NODE_SETTINGS,
        "node_throughput": nodes,
        "api_throughput": apis,
        "failover": failed_over,
    }


def main() -> None:
    results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("node_throughput", "api_throughput", "failover")}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
