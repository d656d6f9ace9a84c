"""Observations arriving from peers: kept only when each signature recovers to the signer it names, a
registered signer of the coordinator other than this node, all from one sender per batch."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from oracle.chain.recovery import InvalidSignature
from oracle.errors import OracleError
from oracle.network.observation import Observation
from oracle.network.signers import SignerSetView
from oracle.store.observations import ObservationStore

log = logging.getLogger(__name__)


class ObservationRefused(OracleError, ValueError):
    """A batch of observations that is not kept; nothing of it is stored."""

    def __init__(self, message: str, signer: str | None = None) -> None:
        super().__init__(message)
        self.signer = signer


class UnknownSigner(ObservationRefused):
    """The observations name a signer that is not in the coordinator's set (or is this node)."""


class BadSignature(ObservationRefused):
    """A signature does not recover to the signer it names."""


class ObservationIntake:
    def __init__(
        self,
        store: ObservationStore,
        separator: bytes,
        signer_set: SignerSetView,
        own: str,
        on_new: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._separator = separator
        self._signer_set = signer_set
        self._own = own
        self._on_new = on_new

    def accept(self, observations: Sequence[Observation]) -> str:
        """Checks and stores the batch; returns its signer. Raises ObservationRefused (nothing stored)."""
        if not observations:
            raise ObservationRefused("no observations")
        signer = observations[0].signer
        if any(o.signer != signer for o in observations):
            raise ObservationRefused("all observations of one post must come from one signer", signer)
        if signer == self._own:
            raise UnknownSigner(f"{signer} is this node's own signer", signer)
        signers = self._signer_set.current().signers
        if signer not in signers and signer not in self._signer_set.fresh().signers:
            raise UnknownSigner(f"{signer} is not a registered signer of the coordinator", signer)
        for index, observation in enumerate(observations):
            try:
                recovered = observation.recover(self._separator)
            except InvalidSignature as error:
                self._refused(signer, len(observations))
                raise BadSignature(f"observation {index}: {error}", signer) from None
            if recovered != signer:
                self._refused(signer, len(observations))
                raise BadSignature(f"observation {index}: the signature is not {signer}'s", signer)
        self._store.add(observations, from_peer=signer)
        if self._on_new is not None:
            self._on_new()
        return signer

    def _refused(self, signer: str, count: int) -> None:
        self._store.record_refused(signer, count)
        log.warning("refused %d observations claiming signer %s: bad signature", count, signer)
