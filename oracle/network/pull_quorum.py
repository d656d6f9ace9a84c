"""Pull mode with a quorum: this node's signed report goes to the peers, each answers with its own
signature (oracle.network.pull_cosign), and the report goes out with k signatures once k - 1 peers agree
on the status, or not at all (the caller answers 503 with the reason)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

import httpx

from oracle.chain.eip712 import pull_observation_digest
from oracle.chain.recovery import InvalidSignature, recover_signer
from oracle.errors import OracleError
from oracle.network.outbox import Peer
from oracle.network.signers import SignerSetView
from oracle.pull import SignedPullReport
from oracle.types import Status

log = logging.getLogger(__name__)


class QuorumUnavailable(OracleError, RuntimeError):
    """Fewer than k signers agreed within the time allowed; the message says what each peer answered."""


def pull_request_body(signed: SignedPullReport) -> dict[str, Any]:
    report = signed.report
    return {
        "report": {
            "subject": report.subject,
            "consumer": report.consumer,
            "validUntil": report.valid_until,
            "modelId": "0x" + report.model_id.hex(),
            "artifactHash": "0x" + report.artifact_hash.hex(),
            "inputHash": "0x" + report.input_hash.hex(),
            "status": int(report.status),
            "value": str(report.values[0]),
        },
        "signature": "0x" + signed.signatures[:64].hex(),
        "features": list(signed.features),
        "salt": "0x" + signed.salt.hex(),
        "attestation": {
            "expiresAt": signed.attestation_expires_at,
            "signature": "0x" + signed.attestation_signature.hex(),
        },
    }


class PullQuorum:
    def __init__(
        self,
        peers: Sequence[Peer],
        signer_set: SignerSetView,
        separator: bytes,
        *,
        timeout_seconds: float = 2.0,
    ) -> None:
        self._peers = list(peers)
        self._signer_set = signer_set
        self._separator = separator
        self._timeout = timeout_seconds
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False)
        self._pool = ThreadPoolExecutor(max_workers=max(1, 8 * len(self._peers)), thread_name_prefix="pull-peer")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def complete(self, signed: SignedPullReport) -> SignedPullReport:
        """`signed` (this node's one signature) with k - 1 of the peers' added, values ascending."""
        membership = self._signer_set.current()
        needed = membership.threshold - 1
        if needed <= 0:
            return signed
        body = pull_request_body(signed)
        futures: dict[Future[tuple[int, bytes, str] | str], Peer] = {
            self._pool.submit(self._ask, peer, body, signed): peer
            for peer in self._peers
            if peer.address in membership.signers
        }
        agreed: list[tuple[int, bytes, str]] = []
        problems: dict[str, str] = {
            p.address: "not a registered signer" for p in self._peers if p.address not in membership.signers
        }
        pending = set(futures)
        while pending and len(agreed) < needed:
            done, pending = wait(pending, timeout=self._timeout, return_when=FIRST_COMPLETED)
            if not done:
                break
            for future in done:
                peer = futures[future]
                outcome = future.result()
                if isinstance(outcome, str):
                    problems[peer.address] = outcome
                else:
                    agreed.append(outcome)
        for future in pending:
            future.cancel()
            problems.setdefault(futures[future].address, f"no answer within {self._timeout:g} s")
        if len(agreed) < needed:
            detail = "; ".join(f"{address}: {reason}" for address, reason in sorted(problems.items()))
            raise QuorumUnavailable(
                f"{len(agreed) + 1} of {membership.threshold} signatures gathered" + (f" ({detail})" if detail else "")
            )
        pairs = sorted([(signed.report.values[0], signed.signatures[:64], signed.signer), *agreed[:needed]])
        report = replace(signed.report, values=tuple(value for value, _, _ in pairs))
        return replace(
            signed,
            report=report,
            signatures=b"".join(signature for _, signature, _ in pairs),
            signers=tuple(signer for _, _, signer in pairs),
        )

    def map(self, reports: Sequence[SignedPullReport]) -> list[SignedPullReport]:
        """complete() for each report, concurrently; raises QuorumUnavailable if any misses its quorum."""
        with ThreadPoolExecutor(max_workers=min(16, len(reports)), thread_name_prefix="pull-quorum") as pool:
            return list(pool.map(self.complete, reports))

    def _ask(self, peer: Peer, body: dict[str, Any], signed: SignedPullReport) -> tuple[int, bytes, str] | str:
        """(value, signature, signer) from `peer`, or why not."""
        try:
            response = self._client.post(peer.url.rstrip("/") + "/v1/observations/pull", json=body)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}"
        if response.status_code != 200:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            return f"HTTP {response.status_code}: {message}"
        try:
            answer = response.json()
            status, value = Status(int(answer["status"])), int(answer["value"])
            signature = bytes.fromhex(answer["signature"].removeprefix("0x"))
        except (ValueError, KeyError, TypeError):
            return "malformed answer"
        if status != signed.report.status:
            return f"disagrees on the status ({status.name})"
        digest = pull_observation_digest(self._separator, signed.report, value)
        try:
            if recover_signer(digest, signature) != peer.address:
                return "signature is not the peer's"
        except InvalidSignature:
            return "invalid signature"
        return value, signature, peer.address
