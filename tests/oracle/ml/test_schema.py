"""FeatureSchema: fixed-point decode/encode, every invalid-input path, and the file hash."""

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from oracle.errors import OracleError
from oracle.ml.errors import InvalidFeatures, InvalidOutput, SchemaError
from oracle.ml.schema import FeatureSchema

CREDIT_SCHEMA = Path(__file__).resolve().parents[3] / "models" / "credit-risk" / "schema.json"

SCHEMA = {
    "name": "toy",
    "features": [
        {"name": "ratio", "kind": "numeric", "scale": 100, "min": -1.5, "max": 2.25},
        {"name": "count", "kind": "numeric", "min": 0, "max": 10},
        {
            "name": "colour",
            "kind": "categorical",
            "categories": [{"code": 0, "label": "red"}, {"code": 7, "label": "blue"}],
        },
    ],
    "output": {"name": "p", "scale": 10000, "min": 0, "max": 1},
}


@pytest.fixture
def schema() -> FeatureSchema:
    return FeatureSchema.model_validate(SCHEMA)


def test_decode_divides_by_scale_and_keeps_category_codes(schema):
    row = schema.decode([-150, 10, 7])
    assert row.dtype == np.float64
    assert row.tolist() == [-1.5, 10.0, 7.0]


def test_decode_accepts_numpy_integers(schema):
    assert schema.decode(np.array([225, 0, 0], dtype=np.int64)).tolist() == [2.25, 0.0, 0.0]


def test_encode_then_decode_round_trips(schema):
    features = schema.encode({"ratio": 1.23, "count": 4, "colour": "blue"})
    assert features == [123, 4, 7]
    assert schema.decode(features).tolist() == [1.23, 4.0, 7.0]


def test_encode_accepts_category_code_or_label(schema):
    by_code = schema.encode({"ratio": 0, "count": 0, "colour": 0})
    assert by_code == schema.encode({"ratio": 0, "count": 0, "colour": "red"}) == [0, 0, 0]


@pytest.mark.parametrize(("value", "fixed"), [(1.005, 100), (0.285, 28), (0.295, 30), (-0.125, -12), (1.2349, 123)])
def test_encode_rounds_the_decimal_value_half_to_even(schema, value, fixed):
    assert schema.encode({"ratio": value, "count": 0, "colour": "red"})[0] == fixed


def test_decode_then_encode_is_identity_on_every_accepted_integer(schema):
    for value in range(-150, 226):
        assert schema.encode({"ratio": schema.decode([value, 0, 0])[0], "count": 0, "colour": 0})[0] == value


@pytest.mark.parametrize("features", [[], [1, 2], [1, 2, 0, 4]])
def test_decode_raises_if_feature_count_is_wrong(schema, features):
    with pytest.raises(InvalidFeatures, match="expected 3 features"):
        schema.decode(features)


@pytest.mark.parametrize("features", [[-151, 0, 0], [226, 0, 0], [0, -1, 0], [0, 11, 0], [2**255, 0, 0]])
def test_decode_raises_if_value_is_out_of_range(schema, features):
    with pytest.raises(InvalidFeatures, match="outside"):
        schema.decode(features)


def test_decode_accepts_the_range_bounds(schema):
    assert schema.decode([-150, 0, 0])[0] == -1.5
    assert schema.decode([225, 10, 0])[:2].tolist() == [2.25, 10.0]


@pytest.mark.parametrize("code", [1, -1, 8])
def test_decode_raises_if_category_is_unknown(schema, code):
    with pytest.raises(InvalidFeatures, match="unknown category code"):
        schema.decode([0, 0, code])


@pytest.mark.parametrize("bad", [1.0, True, "1", None, b"\x01"])
def test_decode_raises_if_value_is_not_an_integer(schema, bad):
    with pytest.raises(InvalidFeatures, match="not an integer"):
        schema.decode([0, bad, 0])


@pytest.mark.parametrize("features", [None, 5])
def test_decode_raises_if_features_are_not_a_sequence(schema, features):
    with pytest.raises(InvalidFeatures, match="sequence"):
        schema.decode(features)


def test_invalid_features_is_an_oracle_error_and_a_value_error():
    assert issubclass(InvalidFeatures, OracleError)
    assert issubclass(InvalidFeatures, ValueError)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"ratio": 1, "count": 1}, "missing features"),
        ({"ratio": 1, "count": 1, "colour": 0, "extra": 1}, "unknown features"),
        ({"ratio": 3, "count": 1, "colour": 0}, "outside"),
        ({"ratio": math.nan, "count": 1, "colour": 0}, "not a finite number"),
        ({"ratio": math.inf, "count": 1, "colour": 0}, "not a finite number"),
        ({"ratio": "x", "count": 1, "colour": 0}, "not a finite number"),
        ({"ratio": "1.5", "count": 1, "colour": 0}, "not a finite number"),
        ({"ratio": True, "count": 1, "colour": 0}, "not a finite number"),
        ({"ratio": 1, "count": 1, "colour": 0.0}, "not an integer"),
        ({"ratio": 1, "count": 1, "colour": "green"}, "unknown category label"),
        ({"ratio": 1, "count": 1, "colour": 3}, "unknown category code"),
    ],
)
def test_encode_raises_on_invalid_row(schema, row, match):
    with pytest.raises(InvalidFeatures, match=match):
        schema.encode(row)


@pytest.mark.parametrize(("value", "fixed"), [(0.0, 0), (1.0, 10000), (0.12345, 1234), (0.123451, 1235)])
def test_output_encode_scales_to_basis_points(schema, value, fixed):
    assert schema.output.encode(value) == fixed


@pytest.mark.parametrize("value", [-0.01, 1.01, math.nan, math.inf])
def test_output_encode_raises_if_value_is_out_of_range(schema, value):
    with pytest.raises(InvalidOutput):
        schema.output.encode(value)


def test_sha256_is_the_hash_of_the_exact_file_bytes(schema):
    pretty = json.dumps(SCHEMA, indent=4).encode()
    assert FeatureSchema.from_bytes(pretty).sha256 == hashlib.sha256(pretty).digest()
    assert schema.sha256 == hashlib.sha256(schema.to_bytes()).digest() != hashlib.sha256(pretty).digest()


def test_from_file_reads_and_hashes_the_file(tmp_path, schema):
    path = tmp_path / "schema.json"
    path.write_bytes(schema.to_bytes())
    loaded = FeatureSchema.from_file(path)
    assert loaded.feature_names == ["ratio", "count", "colour"]
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).digest()


def test_committed_credit_schema_is_in_canonical_form():
    data = CREDIT_SCHEMA.read_bytes()
    assert FeatureSchema.from_bytes(data).to_bytes() == data


def _with(**changes):
    broken = json.loads(json.dumps(SCHEMA))
    for path, value in changes.items():
        target = broken
        *keys, last = path.split("__")
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return json.dumps(broken).encode()


@pytest.mark.parametrize(
    "data",
    ids=lambda data: hashlib.sha256(data).hexdigest()[:8],
    argvalues=[
        b"not json",
        _with(features__0__scale=3),
        _with(features__0__scale=0),
        _with(features__0__min=None),
        _with(features__0__min=3),
        _with(features__0__categories=[{"code": 0, "label": "a"}]),
        _with(features__2__categories=[]),
        _with(features__2__categories=[{"code": 0, "label": "a"}, {"code": 0, "label": "b"}]),
        _with(features__2__categories=[{"code": 0, "label": "a"}, {"code": 1, "label": "a"}]),
        _with(features__2__scale=10),
        _with(features__2__min=0),
        _with(features__1__name="ratio"),
        _with(features__1__kind="text"),
        _with(features=[]),
        _with(output__scale=7),
        _with(surprise=1),
    ],
)
def test_from_bytes_raises_schema_error_on_malformed_schema(data):
    with pytest.raises(SchemaError):
        FeatureSchema.from_bytes(data)
