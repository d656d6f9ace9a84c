"""POST /v1/predictions: features in, a signed PullReport out, shaped to be passed on chain as is."""

from __future__ import annotations

from typing import Literal, cast

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from oracle.api.schemas.common import EXAMPLE_ADDRESS, EXAMPLE_CONSUMER, AddressIn, AddressOut, Hex32, HexBytes, hx
from oracle.pull import PullQuery, SignedPullReport
from oracle.types import PullReport

PULL_REPORT_TUPLE = "(address,address,uint64,bytes32,bytes32,bytes32,uint8,int256[])"
VERIFY_REPORT = f"verifyReport({PULL_REPORT_TUPLE},bytes)"
_VERIFY_SELECTOR = function_signature_to_4byte_selector(VERIFY_REPORT)

_WORD = 32
_INT256 = 2**255


def verify_report_calldata(report: PullReport, signatures: bytes) -> bytes:
    """verifyReport(report, signatures) calldata, written directly (eth_abi's validation costs more than
    signing the report); reports eth_abi would refuse go through it for its error. Pinned to eth_abi by
    tests/oracle/api/test_verify_report_calldata.py."""
    values = report.values
    if not all(type(v) is int and -_INT256 <= v < _INT256 for v in values) or not 0 <= report.valid_until < 2**64:
        return _VERIFY_SELECTOR + encode([PULL_REPORT_TUPLE, "bytes"], [report.as_abi(), signatures])
    words = [
        bytes(12) + bytes.fromhex(report.subject[2:]),
        bytes(12) + bytes.fromhex(report.consumer[2:]),
        report.valid_until.to_bytes(_WORD, "big"),
        report.model_id,
        report.artifact_hash,
        report.input_hash,
        int(report.status).to_bytes(_WORD, "big"),
        (8 * _WORD).to_bytes(_WORD, "big"),  # where the values array starts, inside the tuple
        len(values).to_bytes(_WORD, "big"),
        *(v.to_bytes(_WORD, "big", signed=True) for v in values),
    ]
    if any(len(w) != _WORD for w in words[:7]):
        return _VERIFY_SELECTOR + encode([PULL_REPORT_TUPLE, "bytes"], [report.as_abi(), signatures])
    tuple_part = b"".join(words)
    padding = bytes(-len(signatures) % _WORD)
    return b"".join(
        [
            _VERIFY_SELECTOR,
            (2 * _WORD).to_bytes(_WORD, "big"),
            (2 * _WORD + len(tuple_part)).to_bytes(_WORD, "big"),
            tuple_part,
            len(signatures).to_bytes(_WORD, "big"),
            signatures,
            padding,
        ]
    )


# A held-out applicant of the credit-risk model (models/credit-risk/held_out.csv).
EXAMPLE_FEATURES: list[JsonValue] = [3, 12, 35, 120, 3500, 0, 1000, 1844, 2, 0, 0]


PullStatusName = Literal["OK", "INVALID_INPUT", "MODEL_ERROR"]  # a pull report is never EXPIRED


class AttestationIn(BaseModel):
    """A data provider's EIP-712 Attestation of (subject, model, commitment of salt and features, expiresAt)."""

    model_config = ConfigDict(extra="forbid")

    expires_at: int = Field(ge=0, lt=2**64, description="unix seconds (chain time) the attestation is valid until")
    signature: HexBytes = Field(description="the attester's 65-byte EIP-712 signature")


class PredictionRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model": "credit-risk",
                    "features": EXAMPLE_FEATURES,
                    "subject": EXAMPLE_ADDRESS,
                    "consumer": EXAMPLE_CONSUMER,
                    "valid_for_seconds": 300,
                }
            ]
        },
    )

    model: str = Field(min_length=1, max_length=200, description="model name, or its 0x model id")
    features: list[int] = Field(
        min_length=1,
        max_length=1_024,
        description="fixed-point integers in the order and scales of the model's schema (GET /v1/models/{id})",
    )
    subject: AddressIn = Field(description="the address that will submit the report; no one else can use it")
    consumer: AddressIn = Field(description="the contract that will accept the report (once); no other will")
    valid_for_seconds: int | None = Field(
        None, ge=1, description="how long the report stays valid (default and maximum set by the operator)"
    )
    salt: Hex32 | None = Field(
        None, description="salt of the features' commitment (the attester's); a fresh one is drawn when absent"
    )
    attestation: AttestationIn | None = Field(
        None, description="required by models whose owner asks for attested inputs: over the commitment of salt"
    )

    def query(self) -> PullQuery:
        return PullQuery(
            self.model,
            tuple(self.features),
            self.subject,
            self.consumer,
            self.valid_for_seconds,
            None if self.salt is None else bytes.fromhex(self.salt[2:]),
            0 if self.attestation is None else self.attestation.expires_at,
            b"" if self.attestation is None else bytes.fromhex(self.attestation.signature[2:]),
        )


class BatchPredictionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[PredictionRequest] = Field(min_length=1, description="answered all or none")


class PullReportOut(BaseModel):
    """The coordinator's PullReport struct, field for field."""

    subject: AddressOut
    consumer: AddressOut = Field(description="the only contract that accepts this report")
    validUntil: int = Field(description="unix seconds (chain time); verifyReport reverts after it")
    modelId: Hex32
    artifactHash: Hex32
    inputHash: Hex32 = Field(
        description="the features' commitment: keccak256(abi.encode(bytes32 salt, int256[] features))"
    )
    status: int = Field(ge=0, le=3, description="0 OK, 1 INVALID_INPUT, 2 MODEL_ERROR")
    values: list[int] = Field(
        description="one value per signature, ascending; the on-chain result is their lower median"
    )


class AbiArguments(BaseModel):
    """The arguments of verifyReport(report, signatures), and of any consumer taking (report, signatures)
    such as LendingPool.borrowWithReport: `report` is the PullReport tuple in ABI order."""

    function: str = Field(default=VERIFY_REPORT, description="the coordinator function these arguments fit")
    report: list[int | str | list[int]] = Field(
        description="(subject, consumer, validUntil, modelId, artifactHash, inputHash, status, values)"
    )
    signatures: HexBytes = Field(description="64-byte EIP-2098 signatures, concatenated in the order of values")
    calldata: HexBytes = Field(description="verifyReport calldata, for an eth_call to the coordinator")
    coordinator: AddressOut


class PredictionResponse(BaseModel):
    model: str
    model_id: Hex32
    artifact_hash: Hex32
    schema_hash: Hex32
    features: list[int]
    salt: Hex32 = Field(description="with the features, opens the report's inputHash: keep it to prove them")
    status: PullStatusName
    value: int = Field(description="fixed-point, in the schema's output scale (credit-risk: PD in basis points)")
    output_scale: int
    valid_until: int
    signer: AddressOut = Field(description="this node's signer")
    signers: list[AddressOut] = Field(description="the signer of each value of the report, in order")
    report: PullReportOut
    signatures: HexBytes
    abi: AbiArguments

    @classmethod
    def of(cls, signed: SignedPullReport, coordinator: str) -> PredictionResponse:
        report = signed.report
        calldata = verify_report_calldata(report, signed.signatures)
        return cls(
            model=signed.model_name,
            model_id=hx(report.model_id),
            artifact_hash=hx(report.artifact_hash),
            schema_hash=hx(signed.model.schema_hash),
            features=list(signed.features),
            salt=hx(signed.salt),
            status=cast(PullStatusName, report.status.name),
            value=signed.value,
            output_scale=signed.model.schema.output.scale,
            valid_until=report.valid_until,
            signer=signed.signer,
            signers=list(signed.signers or (signed.signer,)),
            report=PullReportOut(
                subject=report.subject,
                consumer=report.consumer,
                validUntil=report.valid_until,
                modelId=hx(report.model_id),
                artifactHash=hx(report.artifact_hash),
                inputHash=hx(report.input_hash),
                status=int(report.status),
                values=list(report.values),
            ),
            signatures=hx(signed.signatures),
            abi=AbiArguments(
                report=[
                    report.subject,
                    report.consumer,
                    report.valid_until,
                    hx(report.model_id),
                    hx(report.artifact_hash),
                    hx(report.input_hash),
                    int(report.status),
                    list(report.values),
                ],
                signatures=hx(signed.signatures),
                calldata=hx(calldata),
                coordinator=coordinator,
            ),
        )


class BatchPredictionResponse(BaseModel):
    items: list[PredictionResponse]
