"""Finds confirmed results that cross a webhook's threshold and POSTs them, signed, with retries.

scan:    for each webhook, results settled since its scan mark that cross its threshold and have no
         delivery yet -> one pending delivery each (persisted with the event to send).
deliver: pending deliveries that are due are leased and POSTed; a 2xx answer marks them delivered,
         anything else schedules a retry after `backoff * 2^(attempt-1)` seconds (capped), until
         `max_attempts`, then failed.

Why the scan mark trails the clock by SETTLE_GRACE_SECONDS: the node stamps `settled_at` just before
its write transaction, which may wait up to the database's 30 s lock timeout before it commits. A
result becomes visible with a `settled_at` up to that much in the past, so the mark only ever moves to
"now - grace": everything settled before it was visible when the scan ran. Results inside the grace
window are read again at the next scan and skipped if they already have a delivery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from oracle.logs import redact
from oracle.store.requests import StoredRequest
from oracle.store.webhooks import Delivery, Webhook, WebhookStore
from oracle.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    encode_body,
    signature,
)
from oracle.webhooks.targets import DestinationGuard, PinnedTransport, UnsafeDestination

log = logging.getLogger(__name__)

EVENT_TYPE = "prediction.threshold_crossed"
SETTLE_GRACE_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 3_600.0
SCAN_LIMIT = 500
CLAIM_LIMIT = 50
# What a delivery's owner sees when no HTTP answer came: the cause (refused destination, DNS, connection,
# timeout) goes only to the operator's log, so the deliveries cannot be read as a port scan.
NO_ANSWER = "no HTTP answer from the receiver"


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    backoff_seconds: float = 2.0
    timeout_seconds: float = 5.0
    allow_private: bool = False  # loopback and private receivers, for local development only

    def retry_delay(self, attempt: int) -> float:
        return min(self.backoff_seconds * 2.0 ** (attempt - 1), MAX_BACKOFF_SECONDS)


@dataclass
class DispatchResult:
    enqueued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


class WebhookDispatcher:
    def __init__(
        self,
        webhooks: WebhookStore,
        model_name: Callable[[bytes], str | None],
        policy: DeliveryPolicy,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        guard: DestinationGuard | None = None,
        interval_seconds: float = 1.0,
    ) -> None:
        self._webhooks = webhooks
        self._model_name = model_name
        self._policy = policy
        self._guard = guard or DestinationGuard(policy.allow_private)
        self._client = client or self._new_client()
        self._clock = clock
        self._interval = interval_seconds
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------ lifecycle
    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self._policy.timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            transport=PinnedTransport(self._guard),
        )

    def start(self) -> None:
        """Scans and delivers every `interval_seconds` in a thread of its own until `stop()`."""
        if self._client.is_closed:  # started again after a stop
            self._client = self._new_client()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run, args=(self._stop, self._interval), name="webhooks", daemon=True
        )
        self._thread.start()

    def run(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("webhook dispatch failed; retrying")
            stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._policy.timeout_seconds + 5)
            self._thread = None
        self._client.close()

    def tick(self) -> DispatchResult:
        result = DispatchResult(enqueued=self.scan())
        self.deliver(result)
        return result

    # ------------------------------------------------------------------ steps
    def scan(self) -> int:
        enqueued = 0
        for webhook in self._webhooks.list():
            now = self._clock()
            results = self._webhooks.crossing_results(webhook, webhook.scanned_until, SCAN_LIMIT)
            mark = now - SETTLE_GRACE_SECONDS
            if len(results) == SCAN_LIMIT:  # more to read: do not move past what was read
                mark = min(mark, results[-1].settled_at or mark)
            events = [(r.request_id, self._event(webhook, r)) for r in results]
            added = self._webhooks.enqueue(webhook.webhook_id, events, mark, now)
            if added:
                log.info("webhook %d: %d results crossed its threshold", webhook.webhook_id, added)
            enqueued += added
        return enqueued

    def deliver(self, result: DispatchResult | None = None) -> DispatchResult:
        result = result or DispatchResult()
        lease = self._policy.timeout_seconds + 30
        for delivery, webhook in self._webhooks.claim_due(self._clock(), lease, CLAIM_LIMIT):
            outcome = self._post(delivery, webhook)
            setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    def _post(self, delivery: Delivery, webhook: Webhook) -> str:
        sent_at = int(self._clock())
        body = encode_body(
            {**delivery.event, "delivery_id": delivery.delivery_id, "attempt": delivery.attempts, "sent_at": sent_at}
        )
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(webhook.secret, body),
            TIMESTAMP_HEADER: str(sent_at),
            DELIVERY_HEADER: str(delivery.delivery_id),
            EVENT_HEADER: EVENT_TYPE,
            "User-Agent": "ai-oracle-webhooks/1",
        }
        status: int | None = None
        try:
            response = self._client.post(webhook.url, content=body, headers=headers)
            status = response.status_code
            if 200 <= status < 300:
                self._webhooks.mark_delivered(delivery.delivery_id, status)
                return "delivered"
            error = f"HTTP {status}"
        except (httpx.HTTPError, UnsafeDestination) as failure:
            error = NO_ANSWER
            log.warning(
                "webhook %d: delivery %d attempt %d got no answer: %s",
                webhook.webhook_id,
                delivery.delivery_id,
                delivery.attempts,
                redact(f"{type(failure).__name__}: {failure}")[:300],
            )
        if delivery.attempts >= self._policy.max_attempts:
            self._webhooks.mark_failed(delivery.delivery_id, status, error)
            log.warning(
                "webhook %d: delivery %d failed after %d attempts (%s)",
                webhook.webhook_id,
                delivery.delivery_id,
                delivery.attempts,
                error,
            )
            return "failed"
        retry_at = self._clock() + self._policy.retry_delay(delivery.attempts)
        self._webhooks.mark_retry(delivery.delivery_id, status, error, retry_at)
        log.info(
            "webhook %d: delivery %d attempt %d: %s; retrying",
            webhook.webhook_id,
            delivery.delivery_id,
            delivery.attempts,
            error,
        )
        return "retrying"

    def _event(self, webhook: Webhook, request: StoredRequest) -> dict[str, Any]:
        return {
            "type": EVENT_TYPE,
            "webhook_id": webhook.webhook_id,
            "request_id": "0x" + request.request_id.hex(),
            "model": self._model_name(request.request.model_id),
            "model_id": "0x" + request.request.model_id.hex(),
            "consumer": request.request.consumer,
            "status": request.status.name if request.status is not None else None,
            "value": request.value,
            "threshold": webhook.threshold,
            "direction": webhook.direction.value,
            "settled_block": request.settled_block,
            "settled_at": request.settled_at,
        }
