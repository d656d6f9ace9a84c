"""Builds a report from k observations that agree on a request's commitment and status.

The coordinator takes the lower median of the report's values, which stays between honest values
whichever k a relayer picks as long as at most f < k/2 of them are faulty; the values go in ascending
order with their signatures alongside, as the coordinator requires.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from oracle.network.observation import Observation
from oracle.types import Request, Status


@dataclass(frozen=True)
class Quorum:
    status: Status
    values: tuple[int, ...]  # ascending
    signatures: bytes  # 64 bytes per value, in the same order
    signers: tuple[str, ...]


def quorum(
    request: Request, observations: Sequence[Observation], threshold: int, signers: frozenset[str], own: str
) -> Quorum | None:
    """The report's status, values and signatures, or None while fewer than `threshold` registered signers
    agree. Observations of signers no longer registered, or for other request fields, are left out. Our own
    observation goes in first, then the others in arrival order; the status our node computed wins a tie."""
    by_status: dict[Status, list[Observation]] = defaultdict(list)
    for observation in sorted(observations, key=lambda o: o.signer != own):  # stable: arrival order kept
        if observation.signer in signers and observation.answers(request):
            by_status[observation.status].append(observation)
    agreeing = [group for group in by_status.values() if len(group) >= threshold]
    if not agreeing:
        return None
    chosen = next((group for group in agreeing if group[0].signer == own), agreeing[0])[:threshold]
    chosen.sort(key=lambda o: o.value)
    return Quorum(
        chosen[0].status,
        tuple(o.value for o in chosen),
        b"".join(o.signature for o in chosen),
        tuple(o.signer for o in chosen),
    )
