"""Reports whose values stay in the order given: the coordinator must refuse them (sign_report sorts)."""

from collections.abc import Sequence

from oracle.chain.signer import ObservationSigner, pack_signatures
from oracle.types import PullReport, Request, Status


def unsorted_report(
    signers: Sequence[ObservationSigner], request_id: bytes, request: Request, values: Sequence[int]
) -> tuple[tuple, bytes]:
    """(report as ABI tuple, packed signatures) with signers[i] signing values[i], in that order."""
    signatures = (s.sign_observation(request_id, request, Status.OK, v) for s, v in zip(signers, values, strict=True))
    return (request_id, request.as_abi(), Status.OK, list(values)), pack_signatures(signatures)


def unsorted_pull_signatures(signers: Sequence[ObservationSigner], report: PullReport) -> bytes:
    """signers[i] signs report.values[i], in that order (sign_pull_report refuses unsorted values)."""
    return pack_signatures(s.sign_pull_observation(report, v) for s, v in zip(signers, report.values, strict=True))
