"""Replays a fulfilled prediction: the request's features from its event, the published artifact, the same answer?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import Web3
from web3._utils.events import get_event_data

from oracle.chain.codec import event_abi, event_topic
from oracle.errors import OracleError
from oracle.ml.model import LoadedModel
from oracle.ml.registry import Registration, model_dirs
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


def _latest(w3: Web3, coordinator: str, event: str, request_id: bytes, from_block: int, to_block: int | str = "latest"):
    logs = w3.eth.get_logs(
        {
            "address": coordinator,
            "topics": ["0x" + event_topic(event).hex(), "0x" + request_id.hex()],
            "fromBlock": from_block,
            "toBlock": to_block,
        }
    )
    return get_event_data(w3.codec, event_abi(event), logs[-1]) if logs else None


def verify_request(w3: Web3, coordinator, models_dir: Path, request_id: bytes, from_block: int = 0) -> Verification:
    """`from_block`: where to start looking for the request's events (the coordinator's deployment block)."""
    fulfilled = _latest(w3, coordinator.address, "PredictionFulfilled", request_id, from_block)
    if fulfilled is None:
        raise VerifyError(f"no PredictionFulfilled event for request 0x{request_id.hex()}")
    requested = _latest(
        w3, coordinator.address, "PredictionRequested", request_id, from_block, fulfilled["blockNumber"]
    )
    if requested is None:
        raise VerifyError(f"no PredictionRequested event for request 0x{request_id.hex()}")
    request = Request.from_abi(requested["args"]["request"])
    names = {model_id(name): name for name in model_dirs(models_dir)}
    name = names.get(request.model_id)
    if name is None:
        raise VerifyError(f"no model in {models_dir} has id 0x{request.model_id.hex()}")
    registration = Registration.read(coordinator, request.model_id)
    # The artifact is pinned to the hash the request committed to, so a swapped file cannot pass.
    model = LoadedModel.from_dir(
        models_dir / name, artifact_hash=request.artifact_hash, schema_hash=registration.schema_hash
    )
    features = tuple(int(v) for v in requested["args"]["features"])
    prediction = model.predict([features])[0]
    args = fulfilled["args"]
    return Verification(
        request_id=request_id,
        model_name=name,
        request=request,
        features=features,
        requested_block=requested["blockNumber"],
        fulfilled_block=fulfilled["blockNumber"],
        on_chain=(Status(args["status"]), int(args["value"])),
        replayed=(prediction.status, int(prediction.value)),
    )
