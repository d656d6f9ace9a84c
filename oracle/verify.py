"""Replays a fulfilled prediction: the request's features from its event, the published artifact, the same answer?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oracle.chain.coordinator import Coordinator
from oracle.errors import OracleError
from oracle.ml.model import LoadedModel
from oracle.ml.registry import model_dirs
from oracle.types import Request, Status, model_id


class VerifyError(OracleError, LookupError):
    """The request, its answer or its model cannot be found."""


@dataclass(frozen=True)
class Verification:
    request_id: bytes
    model_name: str
    request: Request
    features: tuple[int, ...]
    requested_block: int
    fulfilled_block: int
    on_chain: tuple[Status, int]
    replayed: tuple[Status, int]

    @property
    def matches(self) -> bool:
        return self.on_chain == self.replayed


def verify_request(coordinator: Coordinator, models_dir: Path, request_id: bytes, from_block: int = 0) -> Verification:
    """`from_block`: where to start looking for the request's events (the coordinator's deployment block)."""
    fulfilled = coordinator.answer(request_id, from_block)
    if fulfilled is None or fulfilled.kind != "fulfilled":
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
    prediction = model.predict([requested.features])[0]
    return Verification(
        request_id=request_id,
        model_name=name,
        request=request,
        features=requested.features,
        requested_block=requested.block_number,
        fulfilled_block=fulfilled.block_number,
        on_chain=(fulfilled.status, fulfilled.value),
        replayed=(prediction.status, int(prediction.value)),
    )
