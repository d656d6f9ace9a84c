"""Who sends a request's report: one transmitter first, the other signers later and only if still needed.

The first transmitter of a request is the signer at position `request id mod n` of the sorted signer set;
the signer r places after it waits r * stagger seconds from when it saw the request, then sends only if
the request is still pending on chain. The stagger should exceed the time a transaction takes to be mined,
or a later transmitter may find the request still pending while the first one's answer waits in the mempool. Every node computes the same order from the chain's signer set, so
no agreement is needed beyond it, and a transmitter that is down costs one stagger, not an answer.
"""

from __future__ import annotations

from collections.abc import Collection


class TransmitSchedule:
    def __init__(self, own: str, stagger_seconds: float) -> None:
        self._own = own
        self._stagger = stagger_seconds

    def rank(self, request_id: bytes, signers: Collection[str]) -> int:
        """0 for the first transmitter, 1 for the next, ...; a node outside `signers` comes last."""
        ordered = sorted(signers, key=str.lower)
        if self._own not in ordered:
            return len(ordered)
        first = int.from_bytes(request_id, "big") % len(ordered)
        return (ordered.index(self._own) - first) % len(ordered)

    def due_at(self, request_id: bytes, signers: Collection[str], seen_at: float) -> float:
        return seen_at + self.rank(request_id, signers) * self._stagger
