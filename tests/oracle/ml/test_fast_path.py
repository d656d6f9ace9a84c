"""The compiled scorers (oracle.ml.fast_path) answer exactly as the skops artifact's own predict_proba: on every
held-out row and on 100,000 random in-schema rows per model, plus hypothesis; the vectorised schema decode
refuses exactly what the per-row decode refuses."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from oracle.ml.model import LoadedModel
from oracle.types import Status
from tests.oracle.ml.committed_model import feature_rows, read_held_out

MODELS = Path(__file__).resolve().parents[3] / "models"
NAMES = ("credit-risk", "delivery-delay", "shipment-condition")
RANDOM_ROWS = 100_000


@pytest.fixture(scope="module", params=NAMES)
def pair(request) -> tuple[LoadedModel, LoadedModel]:
    """(served model, the same artifact scored by scikit-learn only)."""
    served = LoadedModel.from_dir(MODELS / request.param)
    reference = LoadedModel(served.estimator, served.schema, served.artifact_hash, served.report, compiled=False)
    return served, reference


def random_rows(model: LoadedModel, count: int, seed: int) -> list[list[int]]:
    """Uniform in each feature's range (a tenth of the values exactly at a bound), categoricals uniform."""
    rng = np.random.default_rng(seed)
    columns = []
    for feature in model.schema.features:
        if feature.kind == "categorical":
            columns.append(rng.choice([c.code for c in feature.categories], count))
        else:
            lo, hi = feature._bounds
            values = rng.integers(lo, hi, count, endpoint=True)
            at_bound = rng.random(count) < 0.1
            values[at_bound] = rng.choice([lo, hi], int(at_bound.sum()))
            columns.append(values)
    return np.column_stack(columns).tolist()


def in_schema(model: LoadedModel):
    return st.tuples(
        *(
            st.sampled_from([c.code for c in f.categories]) if f.kind == "categorical" else st.integers(*f._bounds)
            for f in model.schema.features
        )
    ).map(list)


def test_every_shipped_model_is_served_by_a_compiled_scorer(pair):
    served, reference = pair
    assert served._fast is not None and reference._fast is None


def test_answers_equal_the_artifacts_on_every_held_out_row(pair):
    served, reference = pair
    rows = feature_rows(read_held_out(MODELS / served.name), served.schema)
    assert served.predict(rows) == reference.predict(rows)
    decoded, _ = served.schema.decode_batch(rows)
    assert np.abs(served._fast.probability(decoded) - reference.reference_probabilities(decoded)).max() < 1e-12


def test_answers_equal_the_artifacts_on_100k_random_in_schema_rows(pair):
    served, reference = pair
    rows = random_rows(served, RANDOM_ROWS, seed=14)
    with threadpool_limits(1):  # scikit-learn's OpenMP trees crawl on a busy 2-core machine
        expected = reference.predict(rows)
    answers = served.predict(rows)
    assert [p.status for p in answers] == [Status.OK] * RANDOM_ROWS
    assert answers == expected


@pytest.mark.parametrize("name", NAMES)
def test_single_rows_equal_the_artifacts_for_any_in_schema_row(name):
    served = LoadedModel.from_dir(MODELS / name)
    reference = LoadedModel(served.estimator, served.schema, served.artifact_hash, served.report, compiled=False)

    @settings(max_examples=100, deadline=None)
    @given(st.lists(in_schema(served), min_size=1, max_size=3))
    def check(rows):
        assert served.predict(rows) == reference.predict(rows)

    with threadpool_limits(1):
        check()


def test_trees_add_up_bit_for_bit_as_scikit_learn():
    served = LoadedModel.from_dir(MODELS / "delivery-delay")
    rows, _ = served.schema.decode_batch(random_rows(served, 2_000, seed=3))
    with threadpool_limits(1):
        assert np.array_equal(served._fast.probability(rows), served.reference_probabilities(rows))


def test_rows_near_a_rounding_boundary_or_unscorable_are_rescored_by_scikit_learn(pair):
    served, _ = pair
    rows = random_rows(served, 3, seed=5)
    decoded, _ = served.schema.decode_batch(rows)

    class Halfway:  # 0.5 and NaN are what the guard must catch: a half basis point, a row it cannot score
        def probability(self, x):
            return np.array([0.5 / served.schema.output.scale, np.nan, 0.25])

    model = LoadedModel(served.estimator, served.schema, served.artifact_hash, served.report)
    model._fast = Halfway()
    with threadpool_limits(1):
        probabilities = model.probabilities(decoded)
    assert probabilities[:2].tolist() == served.reference_probabilities(decoded[:2]).tolist()
    assert probabilities[2] == 0.25


@pytest.mark.parametrize("name", NAMES)
def test_batch_decode_refuses_exactly_what_row_decode_refuses(name):
    schema = LoadedModel.from_dir(MODELS / name).schema

    def decoded_alone(row):
        try:
            return schema.decode(row)
        except ValueError:
            return None

    wide = st.tuples(*(st.integers(-2, 2 * max(abs(b) for b in _bounds(f)) + 2) for f in schema.features)).map(list)

    @settings(max_examples=100, deadline=None)
    @given(st.lists(wide, min_size=1, max_size=8))
    def check(rows):
        values, positions = schema.decode_batch(rows)
        alone = [decoded_alone(row) for row in rows]
        assert positions == [i for i, row in enumerate(alone) if row is not None]
        assert values.tolist() == [row.tolist() for row in alone if row is not None]

    check()


def _bounds(feature) -> tuple[int, int]:
    if feature.kind == "categorical":
        codes = [c.code for c in feature.categories]
        return min(codes), max(codes)
    return feature._bounds
