"""Throughput and latency of POST /v1/predictions over loopback, next to the in-process predict-and-sign rate.

Run with `python -m benchmarks.api [--network NAME]` inside the project's venv (NAME defaults to
development, the network `make bench` uses); writes benchmarks/results/api.json.

- server: `python -m oracle api --workers N` (N = the machine's cores; uvicorn with uvloop and httptools,
  default settings otherwise: INFO access log, JSON off, the project's rate limiter on every key, its
  token buckets in the store the workers share) on a loopback port, over a fresh store, serving the real credit-risk model registered by its sha256 on a
  coordinator deployed on the local anvil.
- load: benchmarks/api_load.py in a separate process, a raw keep-alive HTTP/1.1 client on uvloop with 1,
  16 and 64 requests in flight, each POSTing held-out applicants in turn; after a warm-up, every request's
  latency (send to full answer) for a fixed time; throughput = answers / time.
- ceiling: in the same run, the same server's trivial route (GET /healthz) with the same generator at 16
  clients: what the framework and the generator allow on this machine at this moment. ROUNDS times
  alternately ceiling then predictions at 16 clients; ratio = predictions / ceiling per round (a loaded
  machine depresses both alike), with the spread over the rounds.
- limit: PullReporter.report (schema check, predict_proba, EIP-712 signature) in a loop in this process,
  without HTTP: the rate the API cannot exceed one request at a time; also split into predict and sign
  alone, and from 40 threads at once (the server's thread pool), where single reports share model calls.
- batch: POST /v1/predictions/batch with 50 applicants per call, one client.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from brownie import accounts, network, project
from eth_account import Account
from eth_utils import keccak

from benchmarks.gas import loaded_machine
from oracle.api.rate_limit import RateLimiter
from oracle.chain.clock import ChainClock
from oracle.config import load_settings
from oracle.ml.model import LoadedModel
from oracle.pull import PullQuery, PullReporter
from oracle.runtime import Runtime
from oracle.store.api_keys import ApiKeyStore, Scope
from oracle.store.database import Database
from oracle.types import model_id
from scripts.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "api.json"
MODEL_DIR = ROOT / "models" / "credit-risk"
NODE_KEY = keccak(text="benchmark oracle node")
SUBJECT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CONSUMER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # reports are only signed here, never submitted
CONCURRENCY = (1, 16, 64)
ROUNDS = 3
SECONDS = 5.0
WARMUP_SECONDS = 2.0
IN_PROCESS_REPORTS = 1_000
THREADS = 40  # anyio's default thread pool: the most sync route calls the server runs at once
BATCH_SIZE = 50
WORKERS = os.cpu_count() or 1


def held_out_features(model: LoadedModel) -> list[list[int]]:
    import csv

    names = model.schema.feature_names
    with (MODEL_DIR / "held_out.csv").open() as rows:
        return [[int(row[n]) for n in names] for row in csv.DictReader(rows)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 2)


class ApiBench:
    def __init__(self, contracts, workdir: Path) -> None:
        owner = accounts[0]
        self.model = LoadedModel.from_dir(MODEL_DIR)
        self.rows = held_out_features(self.model)
        node = Account.from_key(NODE_KEY)
        with contextlib.redirect_stdout(io.StringIO()):
            self.coordinator = contracts.OracleCoordinator.deploy(owner, [node.address], 1, {"from": owner})
            self.coordinator.registerModel(
                model_id("credit-risk"),
                self.model.artifact_hash,
                self.model.schema_hash,
                (10**15, 0, 2_500_000),
                {"from": owner},
            )
        self.workdir = workdir
        self.database = workdir / "oracle.db"
        db = Database(self.database)
        _, self.key = ApiKeyStore(db).create("bench", [Scope.PREDICT], rate_limit=1_000_000)
        db.close()
        self.settings = load_settings(
            environ={},
            rpc_url=network.web3.provider.endpoint_uri,
            coordinator=self.coordinator.address,
            private_key="0x" + NODE_KEY.hex(),
            models_dir=ROOT / "models",
            models=["credit-risk"],
            database=self.database,
            api_port=free_port(),
        )
        self.url = f"http://127.0.0.1:{self.settings.api_port}"
        self.bodies = workdir / "bodies.json"
        self.bodies.write_text(
            json.dumps(
                [{"model": "credit-risk", "features": f, "subject": SUBJECT, "consumer": CONSUMER} for f in self.rows]
            )
        )
        self.batch_bodies = workdir / "batch.json"
        self.batch_bodies.write_text(
            json.dumps(
                [
                    {
                        "items": [
                            {"model": "credit-risk", "features": f, "subject": SUBJECT, "consumer": CONSUMER}
                            for f in chunk
                        ]
                    }
                    for chunk in (self.rows[i : i + BATCH_SIZE] for i in range(0, len(self.rows), BATCH_SIZE))
                ]
            )
        )

    # ------------------------------------------------------------------ in process
    def in_process(self) -> dict:
        runtime = Runtime(self.settings)
        reporter = PullReporter(runtime.registry, runtime.signer, ChainClock(runtime.w3), runtime.inputs)
        queries = [PullQuery("credit-risk", tuple(f), SUBJECT, CONSUMER) for f in self.rows]
        model = runtime.registry.served()[model_id("credit-risk")]
        for query in queries[:50]:
            reporter.report(query)

        def rate(action) -> float:
            started = time.perf_counter()
            for i in range(IN_PROCESS_REPORTS):
                action(i)
            return IN_PROCESS_REPORTS / (time.perf_counter() - started)

        signed = reporter.report(queries[0])
        both = rate(lambda i: reporter.report(queries[i % len(queries)]))
        predict = rate(lambda i: model.predict([queries[i % len(queries)].features]))
        sign = rate(lambda i: runtime.signer.sign_pull_observation(signed.report, i))
        return {
            "predict_and_sign_per_second": round(both, 1),
            "predict_only_per_second": round(predict, 1),
            "sign_only_per_second": round(sign, 1),
            "reports": IN_PROCESS_REPORTS,
            f"predict_and_sign_{THREADS}_threads_per_second": round(self._threaded(reporter, queries), 1),
        }

    @staticmethod
    def _threaded(reporter: PullReporter, queries: list[PullQuery]) -> float:
        """THREADS threads reporting at once, as the server's thread pool does under load: single reports
        share model calls (CoalescingPredictor), signing and checks stay one per report."""
        per_thread = IN_PROCESS_REPORTS // THREADS + 1

        def work(offset: int) -> None:
            for i in range(per_thread):
                reporter.report(queries[(offset + i * THREADS) % len(queries)])

        threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return per_thread * THREADS / (time.perf_counter() - started)

    # ------------------------------------------------------------------ over HTTP
    def start_server(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "ORACLE_RPC_URL": self.settings.rpc_url,
            "ORACLE_COORDINATOR": self.settings.coordinator,
            "ORACLE_PRIVATE_KEY": "0x" + NODE_KEY.hex(),
            "ORACLE_MODELS_DIR": str(ROOT / "models"),
            "ORACLE_MODELS": "credit-risk",
            "ORACLE_DATABASE": str(self.database),
            "ORACLE_API_PORT": str(self.settings.api_port),
        }
        log = (self.workdir / "api.log").open("w")
        command = [sys.executable, "-m", "oracle", "api", "--workers", str(WORKERS)]
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return server
            if server.poll() is not None:
                break
            time.sleep(0.2)
        server.kill()
        raise RuntimeError("the API did not become ready:\n" + (self.workdir / "api.log").read_text()[-3000:])

    def load(self, concurrency: int, bodies: Path | None, seconds: float, path: str = "/v1/predictions") -> dict:
        """`bodies` None: GET `path`."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.api_load",
                self.url,
                self.key,
                str(bodies or "-"),
                "--method",
                "GET" if bodies is None else "POST",
                "--path",
                path,
                "--concurrency",
                str(concurrency),
                "--seconds",
                str(seconds),
                "--warmup",
                str(WARMUP_SECONDS),
                "--out",
                str(self.workdir / "load.json"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=seconds + WARMUP_SECONDS + 120,
            check=True,
        )
        result = json.loads((self.workdir / "load.json").read_text())
        latencies = result["latencies_ms"]
        return {
            "concurrency": concurrency,
            "requests": result["completed"],
            "non_200": result["failures"],
            "seconds": round(result["seconds"], 2),
            "requests_per_second": round(result["completed"] / result["seconds"], 1),
            "latency_ms": {
                "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99),
                "mean": round(statistics.fmean(latencies), 2),
                "max": round(max(latencies), 2),
            },
        }


def run(network_name: str, seconds: float) -> dict:
    load_before = os.getloadavg()
    contracts = project.load(ROOT, name="AiOracleApiBench")
    network.connect(network_name)
    workdir = Path(tempfile.mkdtemp(prefix="api-bench-"))
    try:
        bench = ApiBench(contracts, workdir)
        limit = bench.in_process()
        server = bench.start_server()
        try:
            rounds = []
            for _ in range(ROUNDS):
                ceiling = bench.load(16, None, seconds, "/healthz")
                predictions = bench.load(16, bench.bodies, seconds)
                rounds.append({"ceiling": ceiling, "predictions": predictions})
            levels = [bench.load(c, bench.bodies, seconds) for c in CONCURRENCY if c != 16]
            batch = bench.load(1, bench.batch_bodies, seconds, "/v1/predictions/batch")
        finally:
            server.terminate()
            server.wait(timeout=15)
    finally:
        network.disconnect()
    batch_rate = batch["requests_per_second"] * BATCH_SIZE
    median_round = sorted(rounds, key=lambda r: r["predictions"]["requests_per_second"])[len(rounds) // 2]
    levels.append(median_round["predictions"])
    levels.sort(key=lambda level: level["concurrency"])
    rates = [r["predictions"]["requests_per_second"] for r in rounds]
    ratios = [r["predictions"]["requests_per_second"] / r["ceiling"]["requests_per_second"] for r in rounds]
    p99s = [r["predictions"]["latency_ms"]["p99"] for r in rounds]
    return {
        "command": f"python -m benchmarks.api --network {network_name} --seconds {seconds:g}",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": loaded_machine(load_before),
        "model": {"name": "credit-risk", "artifact_sha256": bench.model.artifact_hash.hex()},
        "server": f"`oracle api --workers {WORKERS}` (uvicorn, uvloop, httptools), default settings otherwise",
        "rate_limiter": f"{RateLimiter.__module__}.{RateLimiter.__qualname__}: "
        + _first_line(RateLimiter.__doc__ or sys.modules[RateLimiter.__module__].__doc__),
        "seconds_per_level": seconds,
        "warmup_seconds": WARMUP_SECONDS,
        "in_process_limit": limit,
        "at_16_clients": {
            "rounds": rounds,
            "predictions_per_second_median": statistics.median(rates),
            "predictions_per_second_min": min(rates),
            "predictions_per_second_max": max(rates),
            "p99_ms_median": statistics.median(p99s),
            "p99_ms_max": max(p99s),
            "ratio_to_ceiling_median": round(statistics.median(ratios), 3),
            "ratio_to_ceiling_min": round(min(ratios), 3),
            "ratio_to_ceiling_max": round(max(ratios), 3),
        },
        "http": {str(level["concurrency"]): level for level in levels},
        "targets": {"requests_per_second_at_16": 1500, "p99_ms_at_16": 25, "ratio_to_ceiling": 0.5},
        "batch": {
            "items_per_request": BATCH_SIZE,
            "concurrency": 1,
            "requests_per_second": batch["requests_per_second"],
            "predictions_per_second": round(batch_rate, 1),
            "latency_ms": batch["latency_ms"],
        },
    }


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if text else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="development", help="brownie network with a local anvil")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="measured seconds per load level")
    args = parser.parse_args()
    results = run(args.network, args.seconds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    summary = {k: v for k, v in results["at_16_clients"].items() if k != "rounds"}
    print(json.dumps({"in_process_limit": results["in_process_limit"], "at_16_clients": summary}, indent=2))


if __name__ == "__main__":
    main()
