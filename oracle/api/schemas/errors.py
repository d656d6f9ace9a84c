"""The one error body every error answer has, whoever raised it (our routes, FastAPI or Starlette)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    field: str | None = Field(None, description="where: body.features[3], query.limit, a readiness check, ...")
    reason: str


class ErrorInfo(BaseModel):
    status: int = Field(description="the HTTP status code, repeated")
    code: str = Field(description="stable machine-readable name: not_found, invalid_request, rate_limited, ...")
    message: str
    request_id: str = Field(description="the X-Request-ID of this exchange; quote it when reporting a problem")
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "status": 422,
                        "code": "invalid_request",
                        "message": "the request does not match the model's feature schema",
                        "request_id": "3f2c9b1e5d0a4c6e8b7a9d1c2e3f4a5b",
                        "details": [
                            {
                                "field": "body.features",
                                "reason": "feature 'term_months': 99 (scale 1) is outside [6.0, 72.0]",
                            }
                        ],
                    }
                }
            ]
        }
    )

    error: ErrorInfo
