"""The feature schema: how a model's inputs and output are written as fixed-point integers.

The schema file is hashed (sha256 of its exact bytes) and registered on chain, so anyone can
decode a request's integers and replay the prediction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from oracle.ml.errors import InvalidFeatures, InvalidOutput, SchemaError
from oracle.ml.fixed_point import fixed_bounds, from_fixed, is_power_of_ten, to_fixed

FeatureValue = float | int | str


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Frozen):
    code: int
    label: str = Field(min_length=1)


class Feature(_Frozen):
    """One input. Numeric: real value = integer / scale, within [min, max] (real units).
    Categorical: the integer is one of the listed codes."""

    name: str = Field(min_length=1)
    kind: Literal["numeric", "categorical"]
    scale: int = 1
    min: float | None = None
    max: float | None = None
    categories: tuple[Category, ...] | None = None
    unit: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> Feature:
        if not is_power_of_ten(self.scale):
            raise ValueError(f"{self.name}: scale {self.scale} is not a power of ten")
        if self.kind == "numeric":
            if self.min is None or self.max is None or self.categories is not None:
                raise ValueError(f"{self.name}: a numeric feature needs min and max, no categories")
            lo, hi = fixed_bounds(self.min, self.max, self.scale)
            if lo > hi:
                raise ValueError(f"{self.name}: no fixed-point value lies in [{self.min}, {self.max}]")
        else:
            if self.min is not None or self.max is not None or self.scale != 1:
                raise ValueError(f"{self.name}: a categorical feature has no min, max or scale")
            codes = [c.code for c in self.categories or ()]
            labels = [c.label for c in self.categories or ()]
            if not codes or len(set(codes)) != len(codes) or len(set(labels)) != len(labels):
                raise ValueError(f"{self.name}: categories must be non-empty with unique codes and labels")
        return self

    @property
    def real_range(self) -> tuple[float, float]:
        """[min, max] of a numeric feature, in real units (the validator makes sure both are set)."""
        if self.min is None or self.max is None:
            raise TypeError(f"{self.name}: a categorical feature has no range")
        return self.min, self.max

    @cached_property
    def _bounds(self) -> tuple[int, int]:
        return fixed_bounds(*self.real_range, self.scale)

    @cached_property
    def _labels(self) -> dict[int, str]:
        return {c.code: c.label for c in self.categories or ()}

    def decode(self, value: int) -> float:
        """Fixed-point integer -> real value; InvalidFeatures if it breaks the schema."""
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidFeatures(f"feature {self.name!r}: {value!r} is not an integer")
        value = int(value)
        if self.kind == "categorical":
            if value not in self._labels:
                raise InvalidFeatures(
                    f"feature {self.name!r}: unknown category code {value}, allowed {sorted(self._labels)}"
                )
            return float(value)
        lo, hi = self._bounds
        if not lo <= value <= hi:
            raise InvalidFeatures(
                f"feature {self.name!r}: {value} (scale {self.scale}) is outside [{self.min}, {self.max}]"
            )
        return from_fixed(value, self.scale)

    def encode(self, value: FeatureValue) -> int:
        """Real value (or category label / code) -> fixed-point integer, range-checked."""
        if self.kind == "numeric":
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
                raise InvalidFeatures(f"feature {self.name!r}: {value!r} is not a finite number")
            fixed = to_fixed(float(value), self.scale)
        elif isinstance(value, str):
            codes = {label: code for code, label in self._labels.items()}
            if value not in codes:
                raise InvalidFeatures(f"feature {self.name!r}: unknown category label {value!r}")
            fixed = codes[value]
        elif isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidFeatures(f"feature {self.name!r}: {value!r} is not an integer")
        else:
            fixed = int(value)  # a code: decode() checks it is a known one
        self.decode(fixed)
        return fixed


class Output(_Frozen):
    """The model's answer: real value in [min, max], sent as integer = round(value * scale)."""

    name: str = Field(min_length=1)
    scale: int
    min: float
    max: float
    unit: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> Output:
        if not is_power_of_ten(self.scale) or self.min > self.max:
            raise ValueError(f"output {self.name}: scale must be a power of ten and min <= max")
        return self

    def encode(self, value: float) -> int:
        """Real output -> fixed-point integer; InvalidOutput if not finite or out of range."""
        if not np.isfinite(value) or not self.min <= value <= self.max:
            raise InvalidOutput(f"output {self.name!r}: {value!r} is outside [{self.min}, {self.max}]")
        return to_fixed(value, self.scale)


class FeatureSchema(_Frozen):
    """A model's input features (in the order requests send them) and its output."""

    name: str = Field(min_length=1)
    version: int = 1
    description: str = ""
    features: tuple[Feature, ...] = Field(min_length=1)
    output: Output
    _sha256: bytes | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_names(self) -> FeatureSchema:
        names = self.feature_names
        if len(set(names)) != len(names):
            raise ValueError("feature names must be unique")
        return self

    @classmethod
    def from_bytes(cls, data: bytes) -> FeatureSchema:
        """Parse schema JSON; `sha256` is then the hash of exactly these bytes."""
        try:
            schema = cls.model_validate_json(data)
        except ValidationError as exc:
            raise SchemaError(f"invalid feature schema: {exc}") from exc
        schema._sha256 = hashlib.sha256(data).digest()
        return schema

    @classmethod
    def from_file(cls, path: str | Path) -> FeatureSchema:
        return cls.from_bytes(Path(path).read_bytes())

    def to_bytes(self) -> bytes:
        """Canonical file form (what training writes)."""
        return (self.model_dump_json(indent=2, exclude_none=True) + "\n").encode()

    @property
    def sha256(self) -> bytes:
        """sha256 of the file this schema was read from, else of `to_bytes()`."""
        return self._sha256 if self._sha256 is not None else hashlib.sha256(self.to_bytes()).digest()

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def decode(self, features: Sequence[int]) -> np.ndarray:
        """Fixed-point request features -> float64 row for the model; InvalidFeatures on any breach."""
        try:
            values = list(features)
        except TypeError as exc:
            raise InvalidFeatures(f"features must be a sequence of integers, got {features!r}") from exc
        if len(values) != len(self.features):
            raise InvalidFeatures(f"expected {len(self.features)} features {self.feature_names}, got {len(values)}")
        return np.array([f.decode(v) for f, v in zip(self.features, values, strict=True)], dtype=np.float64)

    def decode_batch(self, batch: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[int]]:
        """The rows of `batch` that fit the schema, decoded as `decode` does (one float64 row each), and their
        positions in `batch`. Batches of plain int lists or tuples go through numpy in one pass; anything else
        row by row."""
        rows = batch if isinstance(batch, list) else list(batch)
        width = len(self.features)
        columns = self._columns
        fast = columns is not None and set(map(type, rows)) <= {list, tuple} and set(map(len, rows)) == {width}
        if columns is not None and fast and set(map(type, chain.from_iterable(rows))) == {int}:
            try:
                values = np.fromiter(chain.from_iterable(rows), np.int64, len(rows) * width).reshape(len(rows), width)
            except OverflowError:
                pass
            else:
                return columns.decode(values)
        decoded, positions = [], []
        for position, features in enumerate(rows):
            try:
                decoded.append(self.decode(features))
            except InvalidFeatures:
                continue
            positions.append(position)
        return (np.vstack(decoded) if decoded else np.empty((0, width))), positions

    @cached_property
    def _columns(self) -> _Columns | None:
        return _Columns.of(self.features)

    def encode(self, row: Mapping[str, FeatureValue]) -> list[int]:
        """Real values by feature name (labels allowed for categoricals) -> request integers."""
        missing = [n for n in self.feature_names if n not in row]
        unknown = sorted(set(row) - set(self.feature_names))
        if missing or unknown:
            raise InvalidFeatures(f"missing features {missing}, unknown features {unknown}")
        return [f.encode(row[f.name]) for f in self.features]


EXACT_INTEGERS = 2**53  # integers a float64 holds exactly: numpy's int / scale then rounds as Python's does


class _Columns:
    """The schema's checks and decode for a whole int64 batch: bounds per column, code sets of categoricals."""

    def __init__(self, low: np.ndarray, high: np.ndarray, scale: np.ndarray, codes: dict[int, np.ndarray]) -> None:
        self._low, self._high, self._scale, self._codes = low, high, scale, codes

    @classmethod
    def of(cls, features: Sequence[Feature]) -> _Columns | None:
        low, high, codes = [], [], {}
        for column, feature in enumerate(features):
            if feature.kind == "numeric":
                lo, hi = feature._bounds
            else:
                allowed = sorted(feature._labels)
                lo, hi = allowed[0], allowed[-1]
                if allowed != list(range(lo, hi + 1)):
                    codes[column] = np.array(allowed, dtype=np.int64)
            low.append(lo)
            high.append(hi)
        if max(abs(v) for v in low + high) >= EXACT_INTEGERS or max(f.scale for f in features) >= EXACT_INTEGERS:
            return None
        scale = np.array([f.scale for f in features], dtype=np.float64)
        return cls(np.array(low, dtype=np.int64), np.array(high, dtype=np.int64), scale, codes)

    def decode(self, values: np.ndarray) -> tuple[np.ndarray, list[int]]:
        valid = ((values >= self._low) & (values <= self._high)).all(axis=1)
        for column, allowed in self._codes.items():
            valid &= np.isin(values[:, column], allowed)
        positions = np.flatnonzero(valid)
        kept = values if len(positions) == len(values) else values[positions]
        return kept / self._scale, positions.tolist()
