"""CoalescingPredictor: concurrent single predictions share model calls and get exactly their own answers."""

import threading
import time
from pathlib import Path

import pytest

from oracle.ml.coalescer import CoalescingPredictor
from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ModelDirectory

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"


@pytest.fixture(scope="module")
def model():
    return LoadedModel.from_dir(MODEL_DIR)


@pytest.fixture(scope="module")
def rows(model):
    return ModelDirectory(MODEL_DIR).held_out_features(model.schema.feature_names, limit=40)


class Gated:
    """The real model, whose first call waits until `release` is set (so callers pile up behind it)."""

    def __init__(self, model, fail_batch: int | None = None):
        self.model = model
        self.release = threading.Event()
        self.calls: list[int] = []
        self.fail_batch = fail_batch

    def predict(self, features_batch):
        self.calls.append(len(features_batch))
        if len(self.calls) == 1:
            assert self.release.wait(10)
        if len(self.calls) == self.fail_batch:
            raise RuntimeError("model blew up")
        return self.model.predict(features_batch)


def run_concurrently(predictor, gated, rows):
    results: dict[int, object] = {}

    def call(i):
        try:
            results[i] = predictor.predict(rows[i])
        except RuntimeError as error:
            results[i] = error

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(rows))]
    threads[0].start()
    while not gated.calls:  # the first caller is inside the model
        time.sleep(0.001)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(predictor._waiting) < len(rows) - 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    gated.release.set()
    for thread in threads:
        thread.join(10)
    return [results[i] for i in range(len(rows))]


def test_one_caller_at_a_time_gets_one_model_call_each(model, rows):
    predictor = CoalescingPredictor(model)
    assert [predictor.predict(r) for r in rows[:5]] == [model.predict([r])[0] for r in rows[:5]]
    assert predictor.batches == 5


def test_callers_waiting_behind_a_batch_go_together_with_their_own_answers(model, rows):
    gated = Gated(model)
    predictor = CoalescingPredictor(gated)
    results = run_concurrently(predictor, gated, rows)
    assert gated.calls == [1, len(rows) - 1]
    assert results == model.predict(rows)


def test_batches_are_capped(model, rows):
    gated = Gated(model)
    predictor = CoalescingPredictor(gated, max_batch=16)
    results = run_concurrently(predictor, gated, rows)
    assert gated.calls == [1, 16, 16, len(rows) - 33]
    assert results == model.predict(rows)


def test_a_failing_batch_fails_its_callers_only(model, rows):
    gated = Gated(model, fail_batch=2)
    predictor = CoalescingPredictor(gated, max_batch=10)
    results = run_concurrently(predictor, gated, rows[:21])
    expected = model.predict(rows[:21])
    assert gated.calls == [1, 10, 10]
    assert results[0] == expected[0]
    assert all(isinstance(r, RuntimeError) for r in results[1:11])
    assert results[11:] == expected[11:]
    assert predictor.predict(rows[0]) == expected[0]  # and it keeps working
