"""The network's routes: peers post their signed observations and ask for co-signatures of pull reports.
Authenticated by the signatures themselves against the coordinator's signer set, not by API keys."""

from __future__ import annotations

from fastapi import APIRouter, Request

from oracle.api.dependencies import Network
from oracle.api.errors import NotFound, PayloadTooLarge, RateLimited, documented
from oracle.api.network_services import NetworkApi
from oracle.api.schemas.observations import CosignRequest, CosignResponse, ObservationsAccepted, ObservationsIn

router = APIRouter(prefix="/v1/observations", tags=["network"])

MAX_BODY_BYTES = 256 * 1024


def _admit(request: Request, network: NetworkApi) -> None:
    """Bounded size and rate per client address, checked before any signature is recovered."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"a post to this route carries a Content-Length of at most {MAX_BODY_BYTES} bytes")
    client = request.client.host if request.client else "unknown"
    retry_after = network.limiter.acquire(f"peer:{client}", network.rate_limit)
    if retry_after is not None:
        raise RateLimited(retry_after)


@router.post(
    "",
    response_model=ObservationsAccepted,
    summary="A peer's signed observations of push requests",
    description="Each observation is an EIP-712 Observation signed by a registered signer of the coordinator; "
    "all of one post come from one signer. A bad or unknown signature refuses the whole post and nothing is kept.",
    responses=documented(401, 403, 413, 422, 429),
)
async def post_observations(body: ObservationsIn, request: Request, network: Network) -> ObservationsAccepted:
    _admit(request, network)
    observations = [item.observation() for item in body.observations]
    signer = network.intake.accept(observations)
    return ObservationsAccepted(accepted=len(observations), signer=signer)


@router.post(
    "/pull",
    response_model=CosignResponse,
    summary="Co-sign a pull report another registered node signed",
    responses=documented(401, 403, 404, 409, 413, 422, 429),
)
def cosign(body: CosignRequest, request: Request, network: Network) -> CosignResponse:
    # sync: runs the model, in FastAPI's thread pool
    _admit(request, network)
    if network.cosigner is None:
        raise NotFound("this node does not co-sign pull reports")
    signed = network.cosigner.cosign(
        body.pull_report(),
        bytes.fromhex(body.signature[2:]),
        tuple(body.features),
        bytes.fromhex(body.salt[2:]),
        body.private_input(),
    )
    return CosignResponse(
        status=int(signed.status),
        value=str(signed.value),
        signature="0x" + signed.signature.hex(),
        signer=signed.signer,
    )
