"""POST /v1/observations and /v1/observations/pull: what the nodes of a network send each other."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from oracle.api.schemas.common import AddressIn, AddressOut, Hex32, HexBytes, Int256
from oracle.network.observation import Observation
from oracle.network.wire import observation_from_fields
from oracle.privacy.inputs import PrivateInput
from oracle.types import PullReport, Status

MAX_OBSERVATIONS_PER_POST = 200
Signature = HexBytes


class ObservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requestId: Hex32
    modelId: Hex32
    artifactHash: Hex32
    inputHash: Hex32
    status: int = Field(ge=0, le=2, description="0 OK, 1 INVALID_INPUT, 2 MODEL_ERROR")
    value: Int256
    signer: AddressIn
    signature: Signature = Field(description="64-byte EIP-2098 signature of the EIP-712 Observation")

    def observation(self) -> Observation:
        return observation_from_fields(
            bytes.fromhex(self.requestId[2:]),
            bytes.fromhex(self.modelId[2:]),
            bytes.fromhex(self.artifactHash[2:]),
            bytes.fromhex(self.inputHash[2:]),
            self.status,
            self.value,
            self.signer,
            bytes.fromhex(self.signature[2:]),
        )


class ObservationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    observations: list[ObservationIn] = Field(min_length=1, max_length=MAX_OBSERVATIONS_PER_POST)


class ObservationsAccepted(BaseModel):
    accepted: int
    signer: AddressOut


class PullObservationIn(BaseModel):
    """The asking node's PullObservation: the report's fields and its own value."""

    model_config = ConfigDict(extra="forbid")

    subject: AddressIn
    consumer: AddressIn
    validUntil: int = Field(ge=0, lt=2**64)
    modelId: Hex32
    artifactHash: Hex32
    inputHash: Hex32
    status: int = Field(ge=0, le=2)
    value: Int256


class AttestationProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiresAt: int = Field(ge=0, lt=2**64)
    signature: HexBytes = Field(description="the attester's 65-byte signature; 0x when there is none")


class CosignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: PullObservationIn
    signature: Signature
    features: list[int] = Field(min_length=1, max_length=1_024)
    salt: Hex32
    attestation: AttestationProofIn

    def private_input(self) -> PrivateInput:
        signature = bytes.fromhex(self.attestation.signature[2:])
        return PrivateInput(self.report.subject, self.attestation.expiresAt, signature, b"")

    def pull_report(self) -> PullReport:
        r = self.report
        return PullReport(
            r.subject,
            r.consumer,
            r.validUntil,
            bytes.fromhex(r.modelId[2:]),
            bytes.fromhex(r.artifactHash[2:]),
            bytes.fromhex(r.inputHash[2:]),
            Status(r.status),
            (r.value,),
        )


class CosignResponse(BaseModel):
    status: int
    value: str = Field(description="int256 as a decimal string")
    signature: HexBytes
    signer: AddressOut
