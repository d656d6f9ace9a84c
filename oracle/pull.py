"""Pull mode: predict on features a client sends and sign a report it can bring on chain itself.

The report is the coordinator's PullReport: made for one `subject` (the address that will submit it)
and one `consumer` contract (the only one that accepts it, once), valid until `valid_until` (chain time),
bound to the model's current artifact and to the features through their salted commitment, so the report
itself reveals nothing about them. A model that requires attested inputs gets a report only with a valid
attestation of that commitment for that subject. It is checked by `verifyReport(report, signatures)`,
directly or inside a consumer (OracleConsumer._consumePullReport, LendingPool.borrowWithReport).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from eth_utils import is_address
from eth_utils import to_checksum_address as _to_checksum_address

from oracle.chain.clock import ChainClock
from oracle.chain.signer import ObservationSigner, sign_pull_report
from oracle.errors import OracleError
from oracle.ml.coalescer import CoalescingPredictor
from oracle.ml.errors import InvalidFeatures
from oracle.ml.model import LoadedModel
from oracle.ml.registry import ModelRegistry
from oracle.privacy.commitment import commitment, new_salt
from oracle.privacy.inputs import InputResolver, PrivateInput
from oracle.types import PullReport, Status

# A dApp's reports name the same few subjects and consumers over and over: each checksum is a keccak.
to_checksum_address = lru_cache(maxsize=4_096)(_to_checksum_address)


class PullError(OracleError):
    """A pull-mode report cannot be made as asked."""


class UnknownModel(PullError, LookupError):
    def __init__(self, ref: str, index: int | None = None) -> None:
        where = "" if index is None else f" (item {index})"
        super().__init__(f"no model {ref!r} on this node{where}")
        self.ref = ref
        self.index = index


class ModelUnavailable(PullError, RuntimeError):
    """The model is known but not served: its files do not match the chain's registration."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"model {name} is not served: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    index: int | None  # position in a batch, None for a single query
    field: str
    reason: str


class InvalidPullQuery(PullError, ValueError):
    """Features, subject or validity break the rules; every problem is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class PullQuery:
    model: str  # name or 0x model id
    features: tuple[int, ...]
    subject: str
    consumer: str
    valid_for_seconds: int | None = None
    salt: bytes | None = None  # the attester's salt; a fresh one when None
    attestation_expires_at: int = 0
    attestation_signature: bytes = b""


@dataclass(frozen=True)
class SignedPullReport:
    model_name: str
    model: LoadedModel
    features: tuple[int, ...]
    report: PullReport
    signatures: bytes
    signer: str
    salt: bytes
    attestation_expires_at: int = 0
    attestation_signature: bytes = b""
    signers: tuple[str, ...] = ()  # of each value, in order; empty = `signer` alone

    @property
    def value(self) -> int:
        """What the coordinator makes of the report: the lower median of its (ascending) values."""
        return self.report.values[(len(self.report.values) - 1) // 2]


class PullReporter:
    def __init__(
        self,
        registry: ModelRegistry,
        signer: ObservationSigner,
        clock: ChainClock,
        inputs: InputResolver,
        *,
        default_validity: int = 300,
        max_validity: int = 3_600,
    ) -> None:
        self._registry = registry
        self._signer = signer
        self._clock = clock
        self._inputs = inputs
        self._default_validity = default_validity
        self._max_validity = max_validity
        self._predictors: dict[bytes, CoalescingPredictor] = {}
        self._predictors_lock = threading.Lock()

    def report(self, query: PullQuery) -> SignedPullReport:
        return self._make([query], batch=False)[0]

    def report_many(self, queries: Sequence[PullQuery]) -> list[SignedPullReport]:
        """All or nothing: every query is checked first; the model runs once per model on its queries."""
        return self._make(queries, batch=True)

    def _make(self, queries: Sequence[PullQuery], batch: bool) -> list[SignedPullReport]:
        served = self._registry.served()
        models: list[tuple[str, bytes, LoadedModel]] = []
        problems: list[Problem] = []
        salts = [query.salt or new_salt() for query in queries]
        input_hashes: dict[int, bytes] = {}  # the features' commitments, each computed once
        for index, query in enumerate(queries):
            position = index if batch else None
            resolved = self._registry.resolve(query.model)
            if resolved is None:
                raise UnknownModel(query.model, position)
            name, model_id = resolved
            model = served.get(model_id)
            if model is None:
                raise ModelUnavailable(name, self._registry.refused.get(name, "not loaded"))
            models.append((name, model_id, model))
            problems.extend(self._check(query, model, position))
            problems.extend(self._check_attestation(query, model_id, salts[index], position, input_hashes, index))
        if problems:
            raise InvalidPullQuery(problems)

        now = self._clock.now()
        groups: dict[bytes, list[int]] = defaultdict(list)
        for index, (_, model_id, _) in enumerate(models):
            groups[model_id].append(index)
        predictions: dict[int, tuple[Status, int]] = {}
        for model_id, indexes in groups.items():
            model = models[indexes[0]][2]
            if batch:
                results = model.predict([queries[i].features for i in indexes])
            else:  # concurrent single reports share model calls
                results = [self._predictor(model_id, model).predict(queries[indexes[0]].features)]
            for index, prediction in zip(indexes, results, strict=True):
                predictions[index] = (prediction.status, prediction.value)

        signed = []
        for index, (query, (name, model_id, model)) in enumerate(zip(queries, models, strict=True)):
            status, value = predictions[index]
            salt = salts[index]
            unsigned = PullReport(
                subject=to_checksum_address(query.subject),
                consumer=to_checksum_address(query.consumer),
                valid_until=now + (query.valid_for_seconds or self._default_validity),
                model_id=model_id,
                artifact_hash=model.artifact_hash,
                input_hash=input_hashes.get(index) or commitment(salt, query.features),
                status=status,
                values=(value,),
            )
            signatures = sign_pull_report([self._signer], unsigned)
            signed.append(
                SignedPullReport(
                    name,
                    model,
                    tuple(query.features),
                    unsigned,
                    signatures,
                    self._signer.address,
                    salt,
                    query.attestation_expires_at,
                    query.attestation_signature,
                )
            )
        return signed

    def _predictor(self, model_id: bytes, model: LoadedModel) -> CoalescingPredictor:
        with self._predictors_lock:
            predictor = self._predictors.get(model_id)
            if predictor is None or predictor.model is not model:  # new, or the model was reloaded
                predictor = self._predictors[model_id] = CoalescingPredictor(model)
            return predictor

    def _check_attestation(
        self, query: PullQuery, model_id: bytes, salt: bytes, index: int | None, hashes: dict[int, bytes], at: int
    ) -> list[Problem]:
        if not is_address(query.subject) or len(salt) != 32:
            return []  # reported by _check
        attested = PrivateInput(
            to_checksum_address(query.subject), query.attestation_expires_at, query.attestation_signature, b""
        )
        hashes[at] = commitment(salt, query.features)
        reason = self._inputs.attestation_problem(model_id, hashes[at], attested)
        return [] if reason is None else [Problem(index, "attestation", reason)]

    def _check(self, query: PullQuery, model: LoadedModel, index: int | None) -> list[Problem]:
        problems = []
        try:
            model.schema.decode(query.features)
        except InvalidFeatures as error:
            problems.append(Problem(index, "features", str(error)))
        if not is_address(query.subject):
            problems.append(Problem(index, "subject", f"{query.subject!r} is not an address"))
        if not is_address(query.consumer):
            problems.append(Problem(index, "consumer", f"{query.consumer!r} is not an address"))
        if query.salt is not None and len(query.salt) != 32:
            problems.append(Problem(index, "salt", "a salt is 32 bytes"))
        validity = query.valid_for_seconds
        if validity is not None and not 1 <= validity <= self._max_validity:
            problems.append(
                Problem(
                    index, "valid_for_seconds", f"must be between 1 and {self._max_validity} seconds, got {validity}"
                )
            )
        return problems
