"""Model artifacts: skops files (never pickle), identified by the sha256 of their exact bytes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from pathlib import Path
from typing import Any

import skops.io as sio

from oracle.ml.errors import ArtifactHashMismatch, UntrustedArtifactTypes
from oracle.ml.skops_canonical import canonicalize

# Types our training pipelines need beyond what skops trusts by default (its default set already
# covers scikit-learn estimators and numpy). HistGradientBoosting stores its trees and a
# functools.partial of sklearn's check_array; skops still audits whatever a partial wraps.
# SplineTransformer keeps scipy BSpline objects, which keep a reference to scipy's asarray.
# AffordabilityRatios is this project's own transformer (column positions and arithmetic only).
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "functools.partial",
        "oracle.ml.transformers.AffordabilityRatios",
        "scipy._lib.array_api_compat.numpy._aliases.asarray",
        "scipy.interpolate._bsplines.BSpline",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.utils.validation.check_array",
    }
)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def serialize(estimator: Any) -> bytes:
    """skops bytes of a fitted estimator, canonical so equal models give equal bytes."""
    return canonicalize(sio.dumps(estimator))


def save_model(estimator: Any, path: str | Path) -> bytes:
    """Write the artifact; returns its sha256."""
    data = serialize(estimator)
    Path(path).write_bytes(data)
    return sha256(data)


def deserialize(data: bytes, expected_sha256: bytes, trusted: Collection[str] = TRUSTED_TYPES) -> Any:
    """Load artifact bytes only if their sha256 matches and every non-default type is in `trusted`."""
    actual = sha256(data)
    if not hmac.compare_digest(actual, expected_sha256):
        raise ArtifactHashMismatch("model artifact", expected_sha256, actual)
    untrusted = sio.get_untrusted_types(data=data)
    refused = [name for name in untrusted if name not in trusted]
    if refused:
        raise UntrustedArtifactTypes(refused)
    return sio.loads(data, trusted=untrusted)


def load_model(path: str | Path, expected_sha256: bytes, trusted: Collection[str] = TRUSTED_TYPES) -> Any:
    return deserialize(Path(path).read_bytes(), expected_sha256, trusted)
