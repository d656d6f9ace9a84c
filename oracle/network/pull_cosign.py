"""A peer's side of pull mode with a quorum: another registered node sends its own signed pull observation
with the features, and this node answers with its own signature over the same report fields and its own
prediction. The asking node's signature is the authentication: only registered signers get co-signatures,
so the network's signing power is never open to the public without the API key of some node."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from oracle.chain.clock import ChainClock
from oracle.chain.eip712 import pull_observation_digest
from oracle.chain.recovery import InvalidSignature, recover_signer
from oracle.chain.signer import ObservationSigner
from oracle.ml.errors import InvalidFeatures
from oracle.ml.registry import ModelRegistry
from oracle.network.intake import BadSignature, ObservationRefused, UnknownSigner
from oracle.network.signers import SignerSetView
from oracle.privacy.commitment import commitment
from oracle.privacy.inputs import InputResolver, PrivateInput
from oracle.types import PullReport, Status

# Nodes' chain clocks may differ by this much: a report a little past our own maximum validity is still co-signed.
CLOCK_SLACK_SECONDS = 30


class NotServed(ObservationRefused):
    """The report is for a model this node does not serve."""


@dataclass(frozen=True)
class CoSignature:
    status: Status
    value: int
    signature: bytes
    signer: str


class PullCosigner:
    def __init__(
        self,
        registry: ModelRegistry,
        signer: ObservationSigner,
        separator: bytes,
        signer_set: SignerSetView,
        clock: ChainClock,
        inputs: InputResolver,
        max_validity: int,
    ) -> None:
        self._inputs = inputs
        self._registry = registry
        self._signer = signer
        self._separator = separator
        self._signer_set = signer_set
        self._clock = clock
        self._max_validity = max_validity

    def cosign(
        self, report: PullReport, signature: bytes, features: Sequence[int], salt: bytes, attestation: PrivateInput
    ) -> CoSignature:
        """`report` carries the asking node's one value, which `signature` signs; `attestation` (subject,
        expiry, signature) is checked as the asking node checked it."""
        asker = self._asker(report, signature)
        if commitment(salt, features) != report.input_hash:
            raise ObservationRefused("the features and salt do not match the report's inputHash", asker)
        problem = self._inputs.attestation_problem(report.model_id, report.input_hash, attestation)
        if problem is not None:
            raise ObservationRefused(problem, asker)
        model = self._registry.served().get(report.model_id)
        if model is None or model.artifact_hash != report.artifact_hash:
            raise NotServed("this node does not serve that model with that artifact", asker)
        now = self._clock.now()
        if not now < report.valid_until <= now + self._max_validity + CLOCK_SLACK_SECONDS:
            raise ObservationRefused(
                f"validUntil must be in the next {self._max_validity} seconds of chain time", asker
            )
        try:
            model.schema.decode(features)
        except InvalidFeatures as error:
            raise ObservationRefused(f"features: {error}", asker) from None
        [prediction] = model.predict([tuple(features)])
        ours = replace(report, status=prediction.status, values=(prediction.value,))
        return CoSignature(
            prediction.status,
            prediction.value,
            self._signer.sign_pull_observation(ours, prediction.value),
            self._signer.address,
        )

    def _asker(self, report: PullReport, signature: bytes) -> str:
        if len(report.values) != 1:
            raise ObservationRefused("the asking node's report carries exactly its own value")
        digest = pull_observation_digest(self._separator, report, report.values[0])
        try:
            asker = recover_signer(digest, signature)
        except InvalidSignature as error:
            raise BadSignature(str(error)) from None
        if asker == self._signer.address:
            raise UnknownSigner("that is this node's own signature", asker)
        if asker not in self._signer_set.current().signers and asker not in self._signer_set.fresh().signers:
            raise UnknownSigner(f"{asker} is not a registered signer of the coordinator", asker)
        return asker
