"""LoadedModel.predict of 1 row and of 1,000 rows per served model, decode and encode included: the compiled
path (what the node, the API and `oracle verify` serve) beside scikit-learn's own predict_proba of the same
artifact (the reference), in the same run, so a busy machine depresses both alike.

Run with `python -m benchmarks.inference` (part of `make bench`); writes benchmarks/results/inference.json.

- rows: the model's held-out rows (repeated to 1,000), as request integers.
- timing: ROUNDS rounds; in each, the compiled path and the reference alternate, each timed over a fixed
  number of calls after a warm-up; the figure of a round is the median call, the file keeps the median
  round and the spread (min - max) over rounds.
- the reference runs scikit-learn with one OpenMP thread (on a busy 2-core machine its default of two
  makes single-row tree predictions ~100x slower) and its fast config (assume_finite,
  skip_parameter_validation), as LoadedModel does for the rows it re-scores.
- answers: the two paths' answers are compared on the 1,000 rows (they must be equal).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from benchmarks.gas import loaded_machine
from oracle.ml.model import LoadedModel
from tests.oracle.ml.committed_model import feature_rows, read_held_out

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "inference.json"
NAMES = ("credit-risk", "delivery-delay", "shipment-condition")
ROUNDS = 3
CALLS = {1: 300, 1_000: 15}
REFERENCE_CALLS = {1: 30, 1_000: 3}
TARGETS_US = {1: 100, 1_000: 5_000}


def _median_call_us(predict, batch, calls: int) -> float:
    predict(batch)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        predict(batch)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def measure(name: str) -> dict:
    served = LoadedModel.from_dir(ROOT / "models" / name)
    reference = LoadedModel(served.estimator, served.schema, served.artifact_hash, served.report, compiled=False)
    held_out = feature_rows(read_held_out(ROOT / "models" / name), served.schema)
    rows = (held_out * (1_000 // len(held_out) + 1))[:1_000]
    figures: dict = {"scorer": type(served._fast).__name__, "answers_equal_on_1000_rows": None}
    for size in (1, 1_000):
        batch = rows[:size]
        served_us, reference_us = [], []
        for _ in range(ROUNDS):
            served_us.append(_median_call_us(served.predict, batch, CALLS[size]))
            reference_us.append(_median_call_us(reference.predict, batch, REFERENCE_CALLS[size]))
        figures[f"{size}_rows"] = {
            "served_us_median": round(statistics.median(served_us), 1),
            "served_us_min_max": [round(min(served_us), 1), round(max(served_us), 1)],
            "scikit_learn_us_median": round(statistics.median(reference_us), 1),
            "scikit_learn_us_min_max": [round(min(reference_us), 1), round(max(reference_us), 1)],
            "speed_up": round(statistics.median(reference_us) / statistics.median(served_us), 1),
            "target_us": TARGETS_US[size],
        }
    figures["answers_equal_on_1000_rows"] = served.predict(rows) == reference.predict(rows)
    return figures


def run() -> dict:
    load_before = os.getloadavg()
    with threadpool_limits(1):
        models = {name: measure(name) for name in NAMES}
    return {
        "command": "python -m benchmarks.inference",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": __doc__.strip(),
        "machine": loaded_machine(load_before),
        "models": models,
    }


def main() -> None:
    results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["models"], indent=2))


if __name__ == "__main__":
    main()
