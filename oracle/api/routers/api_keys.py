"""API keys, for admin keys. A key is shown once, when created; only its sha256 is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from oracle.api.dependencies import AdminKey, Services
from oracle.api.errors import Conflict, NotFound, documented
from oracle.api.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyOut

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create a key; the answer holds the key, shown only once",
    responses=documented(401, 403, 422, 429),
)
def create_key(body: ApiKeyCreate, _: AdminKey, services: Services) -> ApiKeyCreated:
    key, secret = services.api_keys.create(body.name, body.scopes, body.rate_limit_per_minute, origins=body.origins)
    return ApiKeyCreated(**ApiKeyOut.of(key).model_dump(), key=secret)


@router.get("", response_model=ApiKeyList, summary="Every key (never the secrets)", responses=documented(401, 403, 429))
def list_keys(_: AdminKey, services: Services) -> ApiKeyList:
    return ApiKeyList(items=[ApiKeyOut.of(k) for k in services.api_keys.list()])


@router.delete(
    "/{key_id}",
    status_code=204,
    response_class=Response,
    summary="Revoke a key (it stays listed, revoked)",
    responses=documented(401, 403, 404, 409, 422, 429),
)
def revoke_key(key_id: Annotated[int, Path(ge=1, le=2**62)], caller: AdminKey, services: Services) -> Response:
    if key_id == caller.key_id:
        raise Conflict("a key cannot revoke itself; use another admin key or `oracle api-keys revoke`")
    if not services.api_keys.revoke(key_id):
        raise NotFound(f"no active key {key_id}")
    return Response(status_code=204)
