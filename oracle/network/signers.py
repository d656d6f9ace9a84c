"""The coordinator's signer set as the network code reads it: a cached view, re-read on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class SignerSetLike(Protocol):
    @property
    def signers(self) -> tuple[str, ...]: ...

    @property
    def threshold(self) -> int: ...


@dataclass(frozen=True)
class Membership:
    signers: frozenset[str]
    threshold: int


class SignerSetView:
    """`current()` is at most `max_age` seconds old; `fresh()` re-reads unless the last read is under
    `min_age` seconds old, which bounds the chain reads an unknown signer can cause."""

    def __init__(self, read: Callable[[float], SignerSetLike], max_age: float = 30.0, min_age: float = 2.0) -> None:
        self._read = read
        self._max_age = max_age
        self._min_age = min_age

    def current(self) -> Membership:
        return self._membership(self._read(self._max_age))

    def fresh(self) -> Membership:
        return self._membership(self._read(self._min_age))

    @staticmethod
    def _membership(signer_set: SignerSetLike) -> Membership:
        return Membership(frozenset(signer_set.signers), signer_set.threshold)
