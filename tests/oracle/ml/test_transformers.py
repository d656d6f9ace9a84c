"""AffordabilityRatios: the arithmetic, and that a pipeline holding it loads through the trusted-types path."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from oracle.ml.artifact import deserialize, serialize, sha256
from oracle.ml.errors import UntrustedArtifactTypes
from oracle.ml.transformers import AffordabilityRatios

# amount, term, income, expenses, debt, assets, price (the default column positions)
APPLICANT = [1200.0, 12.0, 500.0, 150.0, 2000.0, 8000.0, 1500.0]


def test_ratios_are_instalment_share_of_income_disposable_income_debt_to_assets_and_loan_to_value():
    ratios = AffordabilityRatios().fit(np.array([APPLICANT]))
    assert ratios.transform(np.array([APPLICANT])).tolist() == [[100.0, 0.2, 250.0, 0.25, 0.8]]
    assert list(ratios.get_feature_names_out()) == list(AffordabilityRatios.OUTPUTS)


def test_zero_income_and_assets_give_finite_ratios():
    row = [[1200.0, 12.0, 0.0, 0.0, 2000.0, 0.0, 1500.0]]
    assert np.isfinite(AffordabilityRatios().fit_transform(np.array(row))).all()


def test_pipeline_with_ratios_round_trips_only_with_the_type_trusted():
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 1000, size=(100, 7))
    pipeline = make_pipeline(AffordabilityRatios(), LogisticRegression()).fit(x, rng.integers(0, 2, 100))
    data = serialize(pipeline)
    loaded = deserialize(data, sha256(data))
    assert np.array_equal(loaded.predict_proba(x), pipeline.predict_proba(x))
    with pytest.raises(UntrustedArtifactTypes, match="AffordabilityRatios"):
        deserialize(data, sha256(data), trusted=frozenset())
