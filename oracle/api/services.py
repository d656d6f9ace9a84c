"""What the API's routes work with, built once by the entry point (oracle.runtime) or by tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oracle.api.rate_limit import RateLimiter
from oracle.api.readiness import ReadinessProbe
from oracle.ml.registry import ModelRegistry
from oracle.pull import PullReporter
from oracle.store.api_keys import ApiKeyStore
from oracle.store.request_stats import RequestStats
from oracle.store.requests import RequestStore
from oracle.store.transactions import TransactionJournal
from oracle.store.webhooks import WebhookStore
from oracle.webhooks.targets import DestinationGuard


@dataclass
class ApiServices:
    store: RequestStore
    stats: RequestStats
    journal: TransactionJournal
    registry: ModelRegistry
    pull: PullReporter
    api_keys: ApiKeyStore
    webhooks: WebhookStore  # the API registers webhooks and reads their deliveries; a worker sends them
    webhook_guard: DestinationGuard
    readiness: ReadinessProbe
    limiter: RateLimiter
    coordinator_address: str
    chain_head: Callable[[], int]

    def model_name(self, model_id: bytes) -> str | None:
        return self.registry.name_of(model_id)
