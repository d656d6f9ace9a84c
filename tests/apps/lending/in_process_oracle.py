"""The oracle node's job done in the test process: read pending requests from the chain, predict with the
real model, sign with the test keys, fulfil. Tests and the lending scenario's test use it as `settle`.

A private request's features are looked up by their commitment in `inputs` (what the nodes would decrypt from
its encrypted input; the contracts only carry those bytes), by default the test applicants' PRIVATE_INPUTS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import coincurve
from brownie import web3

from oracle.chain.signer import ObservationSigner, sign_report
from oracle.ml.model import LoadedModel
from oracle.privacy.envelope import open_envelope
from oracle.types import Request
from tests.apps.lending.lending import PRIVATE_INPUTS

NO_COMMITMENT = "0x" + "00" * 32


@dataclass(frozen=True)
class PendingRequest:
    request_id: bytes
    request: Request
    features: list[int]


class InProcessOracle:
    """Answers every request made to `coordinator` since it was created, like the node's listener would."""

    def __init__(
        self,
        coordinator,
        model: LoadedModel,
        signers: Sequence[ObservationSigner],
        relayer,
        inputs: Mapping[bytes, tuple[bytes, list[int]]] = PRIVATE_INPUTS,
        keys: Mapping[str, coincurve.PrivateKey] | None = None,
    ) -> None:
        self._inputs = inputs
        self._keys = dict(keys or {})
        self._coordinator = coordinator
        self._events = web3.eth.contract(address=coordinator.address, abi=coordinator.abi).events
        self._model = model
        self._signers = list(signers)
        self._relayer = relayer
        self._from_block = web3.eth.block_number + 1
        self.transactions: list = []

    def pending(self) -> list[PendingRequest]:
        found = []
        for log in self._events.PredictionRequested.get_logs(from_block=self._from_block):
            found.append((log, Request.from_abi(log.args.request), list(log.args.features)))
        for log in self._events.PrivatePredictionRequested.get_logs(from_block=self._from_block):
            request = Request.from_abi(log.args.request)
            found.append((log, request, self._features(request, bytes(log.args.encryptedInput))))
        found.sort(key=lambda item: (item[0].blockNumber, item[0].logIndex))
        pending = [PendingRequest(bytes(log.args.requestId), request, features) for log, request, features in found]
        return [p for p in pending if self._coordinator.commitmentOf(p.request_id) != NO_COMMITMENT]

    def _features(self, request: Request, sealed: bytes) -> list[int]:
        """Known test inputs by their commitment; else opened from the envelope with a signer's key, as a node does."""
        if request.input_hash in self._inputs:
            return list(self._inputs[request.input_hash][1])
        for address, key in self._keys.items():
            return list(open_envelope(sealed, address, key)[1])
        raise KeyError(f"no features for commitment 0x{request.input_hash.hex()}")

    def settle(self) -> None:
        """Predicts every pending request in one batch and fulfils them all in one transaction."""
        pending = self.pending()
        if not pending:
            return
        predictions = self._model.predict([p.features for p in pending])
        reports, signatures = [], []
        for item, prediction in zip(pending, predictions, strict=True):
            values = [prediction.value] * len(self._signers)
            report, packed = sign_report(self._signers, item.request_id, item.request, prediction.status, values)
            reports.append(report.as_abi())
            signatures.append(packed)
        self.transactions.append(self._coordinator.fulfillBatch(reports, signatures, {"from": self._relayer}))
