"""Artifacts are byte-identical across BLAS kernels: training under two OpenBLAS core types gives one sha256."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from oracle.ml.training.rounding import DECIMALS, round_fitted

# Small runs in a fresh interpreter, so OpenBLAS reads OPENBLAS_CORETYPE when it loads: credit-risk
# (affordability ratios, splines, a Newton-Cholesky logistic fit: the BLAS-heavy path) and
# shipment-condition (gradient boosting).
TRAIN = """
import importlib, json, sys, threadpoolctl
trainer = importlib.import_module("oracle.ml.training." + sys.argv[2])
report = trainer.train(sys.argv[1], max_rows=1200, cv_folds=3)
cores = sorted({i.get("architecture") for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"})
print(json.dumps({"sha256": report.artifact.sha256, "cores": cores}))
"""


def train_under(core: str, trainer: str, out) -> dict:
    env = {**os.environ, "OPENBLAS_CORETYPE": core}
    done = subprocess.run(
        [sys.executable, "-c", TRAIN, str(out), trainer],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("trainer", ["credit_risk", "shipment_condition"])
def test_training_under_two_openblas_core_types_gives_the_same_artifact_sha256(trainer, tmp_path):
    haswell = train_under("Haswell", trainer, tmp_path / "haswell")
    prescott = train_under("Prescott", trainer, tmp_path / "prescott")
    assert haswell["cores"] == ["Haswell"] and prescott["cores"] != ["Haswell"]  # the kernels really differed
    assert haswell["sha256"] == prescott["sha256"]


def test_round_fitted_rounds_nested_fitted_floats_and_keeps_integers():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 3)), rng.integers(0, 2, 200)
    pipeline = round_fitted(make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y))
    for values in (pipeline[0].mean_, pipeline[0].scale_, pipeline[-1].coef_, pipeline[-1].intercept_):
        assert np.array_equal(values, np.round(values, DECIMALS))
    assert pipeline[0].n_samples_seen_ == 200 and pipeline[-1].classes_.tolist() == [0, 1]
