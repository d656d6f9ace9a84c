"""Push-mode requests as the node's store holds them: where each stands, and its answer."""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, Field

from oracle.api.schemas.common import AddressOut, Hex32, hx
from oracle.logs import redact
from oracle.store.requests import State, StoredRequest
from oracle.store.transactions import JournaledTx

StatusName = Literal["OK", "INVALID_INPUT", "MODEL_ERROR", "EXPIRED"]
TxStateName = Literal["pending", "mined", "reverted", "dropped"]


class Answer(BaseModel):
    status: StatusName
    value: int = Field(description="fixed-point, in the model's output scale; 0 unless status is OK")


class TransactionOut(BaseModel):
    tx_id: int
    state: TxStateName
    hash: Hex32 | None = Field(None, description="the mined transaction, else the latest attempt")
    block_number: int | None = None


class RequestSummary(BaseModel):
    request_id: Hex32
    status: State = Field(description="seen -> predicted -> signed -> sent -> confirmed | failed | expired")
    model: str | None = Field(None, description="the model's name, when this node knows it")
    model_id: Hex32
    consumer: AddressOut
    block_number: int = Field(description="block holding the PredictionRequested event")
    answer: Answer | None = None
    seen_at: float = Field(description="unix seconds when the node read the request")
    settled_at: float | None = Field(None, description="unix seconds when it reached a final state")


class RequestDetail(RequestSummary):
    artifact_hash: Hex32
    input_hash: Hex32
    features: list[int]
    fee_wei: str
    deadline: int = Field(description="unix seconds (chain time) after which the request may be cancelled")
    callback_gas_limit: int
    event_tx_hash: Hex32
    transaction: TransactionOut | None = None
    settled_block: int | None = None
    sends: int = Field(description="transactions that carried this answer")
    error: str | None = None
    inference_ms: float | None = None
    predicted_at: float | None = None
    sent_at: float | None = None
    updated_at: float


class RequestPage(BaseModel):
    items: list[RequestSummary]
    total: int = Field(description="requests matching the filters")
    limit: int
    offset: int


def summary_fields(request: StoredRequest, model_name: str | None) -> dict[str, Any]:
    return {
        "request_id": hx(request.request_id),
        "status": request.state,
        "model": model_name,
        "model_id": hx(request.request.model_id),
        "consumer": request.request.consumer,
        "block_number": request.block_number,
        "answer": None
        if request.status is None
        else Answer(status=cast(StatusName, request.status.name), value=request.value or 0),
        "seen_at": request.seen_at,
        "settled_at": request.settled_at,
    }


def detail(request: StoredRequest, model_name: str | None, tx: JournaledTx | None) -> RequestDetail:
    transaction = None
    if tx is not None:
        tx_hash = tx.mined_hash or (tx.attempts[-1].tx_hash if tx.attempts else None)
        transaction = TransactionOut(
            tx_id=tx.tx_id,
            state=cast(TxStateName, tx.state),
            hash=None if tx_hash is None else hx(tx_hash),
            block_number=tx.block_number,
        )
    return RequestDetail(
        **summary_fields(request, model_name),
        artifact_hash=hx(request.request.artifact_hash),
        input_hash=hx(request.request.input_hash),
        features=list(request.features),
        fee_wei=str(request.request.fee_wei),
        deadline=request.request.deadline,
        callback_gas_limit=request.request.callback_gas_limit,
        event_tx_hash=hx(request.event_tx_hash),
        transaction=transaction,
        settled_block=request.settled_block,
        sends=request.sends,
        error=None if request.error is None else redact(request.error),
        inference_ms=request.inference_ms,
        predicted_at=request.predicted_at,
        sent_at=request.sent_at,
        updated_at=request.updated_at,
    )
