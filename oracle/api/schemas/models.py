"""What /v1/models tells about each model: its schema, hashes, on-chain registration and held-out metrics."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from oracle.api.schemas.common import Hex32, hx
from oracle.ml.model import LoadedModel
from oracle.ml.registry import Registration
from oracle.ml.schema import Feature, Output


class CategoryOut(BaseModel):
    code: int
    label: str


class FeatureOut(BaseModel):
    name: str
    kind: Literal["numeric", "categorical"]
    scale: int = Field(description="integer sent = round(real value * scale)")
    min: float | None = Field(None, description="smallest real value accepted")
    max: float | None = Field(None, description="largest real value accepted")
    categories: list[CategoryOut] | None = None
    unit: str
    description: str

    @classmethod
    def of(cls, feature: Feature) -> FeatureOut:
        return cls(
            name=feature.name,
            kind=feature.kind,
            scale=feature.scale,
            min=feature.min,
            max=feature.max,
            categories=None
            if feature.categories is None
            else [CategoryOut(code=c.code, label=c.label) for c in feature.categories],
            unit=feature.unit,
            description=feature.description,
        )


class OutputOut(BaseModel):
    name: str
    scale: int = Field(description="value = round(real output * scale)")
    min: float
    max: float
    unit: str
    description: str

    @classmethod
    def of(cls, output: Output) -> OutputOut:
        return cls(**output.model_dump())


class RegistrationOut(BaseModel):
    version: int
    artifact_hash: Hex32
    schema_hash: Hex32
    fee_wei: str = Field(description="base fee of a push-mode request, in wei (decimal string)")
    gas_price_wei: str = Field(
        description="gas price a push-mode request also pays its callback and fulfilment gas at, in wei (decimal "
        "string; 0: the base fee is the whole fee)"
    )
    max_callback_gas_limit: int = Field(description="largest callback gas limit a push-mode request may ask for")
    active: bool

    @classmethod
    def of(cls, registration: Registration) -> RegistrationOut:
        return cls(
            version=registration.version,
            artifact_hash=hx(registration.artifact_hash),
            schema_hash=hx(registration.schema_hash),
            fee_wei=str(registration.fee_wei),
            gas_price_wei=str(registration.gas_price_wei),
            max_callback_gas_limit=registration.max_callback_gas_limit,
            active=registration.active,
        )


class ModelSummary(BaseModel):
    name: str
    model_id: Hex32 = Field(description="keccak256 of the name: the id used on chain")
    served: bool = Field(description="loaded, with files whose sha256 match the chain's registration")
    refused_reason: str | None = Field(None, description="why the node does not serve it")
    artifact_hash: Hex32 | None = Field(None, description="sha256 of the served artifact file")
    schema_hash: Hex32 | None = Field(None, description="sha256 of the served schema file")
    registration: RegistrationOut | None = Field(None, description="the coordinator's entry, as read at start-up")


class ModelDetail(ModelSummary):
    description: str | None = None
    schema_version: int | None = None
    features: list[FeatureOut] | None = Field(None, description="inputs, in the order requests send them")
    output: OutputOut | None = None
    metrics: dict[str, float] = Field(default_factory=dict, description="held-out metrics from training")
    libraries: dict[str, str] = Field(default_factory=dict, description="library versions the model was trained with")


class ModelList(BaseModel):
    items: list[ModelSummary]


def summary_fields(
    name: str, model_id: bytes, model: LoadedModel | None, refused: str | None, registration: Registration | None
) -> dict[str, Any]:
    return {
        "name": name,
        "model_id": hx(model_id),
        "served": model is not None,
        "refused_reason": refused,
        "artifact_hash": None if model is None else hx(model.artifact_hash),
        "schema_hash": None if model is None else hx(model.schema_hash),
        "registration": None if registration is None or not registration.exists else RegistrationOut.of(registration),
    }


def detail_fields(model: LoadedModel | None) -> dict[str, Any]:
    if model is None:
        return {}
    held_out = model.report.get("held_out", {})
    return {
        "description": model.schema.description,
        "schema_version": model.schema.version,
        "features": [FeatureOut.of(f) for f in model.schema.features],
        "output": OutputOut.of(model.schema.output),
        "metrics": {k: float(v) for k, v in held_out.items() if isinstance(v, int | float)},
        "libraries": {k: str(v) for k, v in model.report.get("libraries", {}).items()},
    }
