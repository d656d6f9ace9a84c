"""Replays a fulfilled prediction: the request's features from its event (or, for a private request, from whoever
holds its features and salt), the published artifact, the same answer? Without a private request's features, the
answer's signatures and the artifact are still proven."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oracle.chain.coordinator import Coordinator
from oracle.chain.eip712 import domain_separator, observation_digest
from oracle.chain.recovery import recover_signer
from oracle.errors import OracleError
from oracle.ml.model import LoadedModel
from oracle.ml.registry import model_dirs
from oracle.privacy.commitment import commitment
from oracle.types import Request, Status, model_id


class VerifyError(OracleError, LookupError):
    """The request, its answer or its model cannot be found."""


@dataclass(frozen=True)
class Verification:
    request_id: bytes
    model_name: str
    request: Request
    features: tuple[int, ...] | None  # None: a private request whose features were not given
    requested_block: int
    fulfilled_block: int
    on_chain: tuple[Status, int]
    replayed: tuple[Status, int] | None
    signers: tuple[str, ...]  # who signed the report's values, each a registered signer now

    @property
    def matches(self) -> bool:
        return self.replayed is None or self.on_chain == self.replayed


def verify_request(
    coordinator: Coordinator,
    models_dir: Path,
    request_id: bytes,
    from_block: int = 0,
    opened: tuple[bytes, tuple[int, ...]] | None = None,
) -> Verification:
    """`from_block`: where to start looking for the request's events (the coordinator's deployment block).
    `opened`: (salt, features) of a private request, from the applicant or an auditor."""
    fulfilled = coordinator.answer(request_id, from_block)
    if fulfilled is None or fulfilled.kind != "fulfilled" or fulfilled.status is None or fulfilled.value is None:
        raise VerifyError(f"no PredictionFulfilled event for request 0x{request_id.hex()}")
    requested = coordinator.requested(request_id, from_block, fulfilled.block_number)
    if requested is None:
        raise VerifyError(f"no PredictionRequested event for request 0x{request_id.hex()}")
    request = requested.request
    names = {model_id(name): name for name in model_dirs(models_dir)}
    name = names.get(request.model_id)
    if name is None:
        raise VerifyError(f"no model in {models_dir} has id 0x{request.model_id.hex()}")
    registration = coordinator.model(request.model_id)
    if registration is None:
        raise VerifyError(f"model 0x{request.model_id.hex()} is not registered on the coordinator")
    # The artifact is pinned to the hash the request committed to, so a swapped file cannot pass.
    model = LoadedModel.from_dir(
        models_dir / name, artifact_hash=request.artifact_hash, schema_hash=registration.schema_hash
    )
    signers = _signers(coordinator, request_id, request, fulfilled.tx_hash)
    features = requested.features if requested.private is None else None
    if requested.private is not None and opened is not None:
        salt, features = opened
        if commitment(salt, features) != request.input_hash:
            raise VerifyError("the features and salt given do not open the request's input commitment")
    replayed = None
    if features is not None:  # LoadedModel.predict: the same compiled path the node and the API answer with
        prediction = model.predict([features])[0]
        replayed = (prediction.status, int(prediction.value))
    return Verification(
        request_id=request_id,
        model_name=name,
        request=request,
        features=features,
        requested_block=requested.block_number,
        fulfilled_block=fulfilled.block_number,
        on_chain=(fulfilled.status, fulfilled.value),
        replayed=replayed,
        signers=signers,
    )


def _signers(coordinator: Coordinator, request_id: bytes, request: Request, tx_hash: bytes) -> tuple[str, ...]:
    """The signers of the report that answered the request, each checked to be a registered signer now."""
    status, values, signatures = coordinator.report_of(request_id, tx_hash)
    separator = domain_separator(coordinator.domain)
    signers = tuple(
        recover_signer(
            observation_digest(separator, request_id, request, status, value), signatures[i * 64 : i * 64 + 64]
        )
        for i, value in enumerate(values)
    )
    unknown = [s for s in signers if not coordinator.is_signer(s)]
    if unknown:
        raise VerifyError(f"the answer was signed by {', '.join(unknown)}, not registered signers of the coordinator")
    return signers
