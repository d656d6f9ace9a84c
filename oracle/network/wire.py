"""Observations as JSON on the wire between nodes (POST /v1/observations)."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from oracle.network.observation import Observation
from oracle.types import Status


def observation_to_json(observation: Observation) -> dict[str, Any]:
    return {
        "requestId": "0x" + observation.request_id.hex(),
        "modelId": "0x" + observation.model_id.hex(),
        "artifactHash": "0x" + observation.artifact_hash.hex(),
        "inputHash": "0x" + observation.input_hash.hex(),
        "status": int(observation.status),
        "value": str(observation.value),
        "signer": observation.signer,
        "signature": "0x" + observation.signature.hex(),
    }


def observation_from_fields(
    request_id: bytes,
    model_id: bytes,
    artifact_hash: bytes,
    input_hash: bytes,
    status: int,
    value: int,
    signer: str,
    signature: bytes,
) -> Observation:
    return Observation(
        request_id, model_id, artifact_hash, input_hash, Status(status), value, to_checksum_address(signer), signature
    )
