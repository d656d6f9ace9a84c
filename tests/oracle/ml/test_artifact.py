"""skops artifacts: byte-stable serialisation, sha256 pinning and the trusted-types allow-list."""

import hashlib

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from oracle.ml.artifact import TRUSTED_TYPES, deserialize, load_model, save_model, serialize, sha256
from oracle.ml.errors import ArtifactHashMismatch, UntrustedArtifactTypes
from oracle.ml.skops_canonical import canonicalize

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 3))
Y = (X[:, 0] + RNG.normal(size=200) > 0).astype(int)


class Sneaky(LogisticRegression):
    """A type skops does not trust by default and the allow-list does not name."""


def fitted(estimator=None):
    return (estimator or make_pipeline(StandardScaler(), LogisticRegression())).fit(X, Y)


def test_serialize_gives_identical_bytes_for_separately_fitted_equal_models():
    assert serialize(fitted()) == serialize(fitted())


def test_canonicalize_is_idempotent():
    data = serialize(fitted())
    assert canonicalize(data) == data


def test_save_model_returns_sha256_of_the_written_bytes(tmp_path):
    path = tmp_path / "model.skops"
    digest = save_model(fitted(), path)
    assert digest == hashlib.sha256(path.read_bytes()).digest() == sha256(path.read_bytes())
    assert len(digest) == 32


def test_load_model_round_trips_predictions(tmp_path):
    model = fitted()
    path = tmp_path / "model.skops"
    loaded = load_model(path, save_model(model, path))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_load_model_refuses_a_different_expected_hash(tmp_path):
    path = tmp_path / "model.skops"
    digest = save_model(fitted(), path)
    with pytest.raises(ArtifactHashMismatch) as raised:
        load_model(path, bytes(32))
    assert raised.value.expected == bytes(32)
    assert raised.value.actual == digest


def test_deserialize_refuses_tampered_bytes():
    data = bytearray(serialize(fitted()))
    digest = sha256(bytes(data))
    data[-100] ^= 1
    with pytest.raises(ArtifactHashMismatch):
        deserialize(bytes(data), digest)


def test_deserialize_refuses_a_type_outside_the_allow_list():
    data = serialize(fitted(Sneaky()))
    with pytest.raises(UntrustedArtifactTypes) as raised:
        deserialize(data, sha256(data))
    assert [name.rsplit(".", 1)[-1] for name in raised.value.types] == ["Sneaky"]


def test_deserialize_refuses_hist_gradient_boosting_with_an_empty_allow_list():
    data = serialize(fitted(HistGradientBoostingClassifier(max_iter=5)))
    with pytest.raises(UntrustedArtifactTypes, match="TreePredictor"):
        deserialize(data, sha256(data), trusted=frozenset())


def test_deserialize_loads_hist_gradient_boosting_with_the_default_allow_list():
    model = fitted(HistGradientBoostingClassifier(max_iter=5, random_state=0))
    data = serialize(model)
    np.testing.assert_array_equal(deserialize(data, sha256(data)).predict_proba(X), model.predict_proba(X))


def test_allow_list_names_only_expected_types():
    assert TRUSTED_TYPES == {
        "functools.partial",
        "oracle.ml.transformers.AffordabilityRatios",
        "scipy._lib.array_api_compat.numpy._aliases.asarray",
        "scipy.interpolate._bsplines.BSpline",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.utils.validation.check_array",
    }
