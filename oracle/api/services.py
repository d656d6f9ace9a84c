"""What the API's routes work with, built once by the entry point (oracle.runtime) or by tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3

from oracle.api.rate_limit import RateLimiter, rate_limiter_for
from oracle.api.readiness import ReadinessProbe
from oracle.api.webhook_dispatcher import DeliveryPolicy, WebhookDispatcher
from oracle.api.webhook_targets import DestinationGuard
from oracle.chain.clock import ChainClock
from oracle.chain.coordinator import Coordinator
from oracle.chain.signer import ObservationSigner
from oracle.config import LOCAL_DEV_ORIGINS, Settings
from oracle.ml.registry import ModelRegistry
from oracle.privacy.inputs import InputResolver
from oracle.pull import PullReporter
from oracle.store.api_keys import ApiKeyStore
from oracle.store.database import Database
from oracle.store.request_stats import RequestStats
from oracle.store.requests import RequestStore
from oracle.store.transactions import TransactionJournal
from oracle.store.webhooks import WebhookStore


@dataclass(frozen=True)
class ApiConfig:
    cors_origins: tuple[str, ...] = LOCAL_DEV_ORIGINS
    anonymous_rate_limit: int = 600  # per minute per client address; 0 = none
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-For names the client; none by default
    max_batch: int = 100
    webhook_delivery: bool = True
    webhook_interval: float = 1.0
    drift_window: int = 500  # newest requests per model compared with its training distribution in /metrics

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiConfig:
        return cls(
            cors_origins=settings.api_cors_origins,
            anonymous_rate_limit=settings.api_anonymous_rate_limit,
            trusted_proxies=settings.api_trusted_proxies,
            max_batch=settings.api_max_batch,
            webhook_delivery=settings.api_webhook_delivery,
            webhook_interval=settings.api_webhook_interval,
        )


@dataclass
class ApiServices:
    store: RequestStore
    stats: RequestStats
    journal: TransactionJournal
    registry: ModelRegistry
    pull: PullReporter
    api_keys: ApiKeyStore
    webhooks: WebhookStore
    webhook_guard: DestinationGuard
    dispatcher: WebhookDispatcher
    readiness: ReadinessProbe
    limiter: RateLimiter
    coordinator_address: str
    chain_head: Callable[[], int]

    def model_name(self, model_id: bytes) -> str | None:
        return self.registry.name_of(model_id)


def build_services(
    *,
    w3: Web3,
    coordinator: Coordinator,
    registry: ModelRegistry,
    signer: ObservationSigner,
    database: Database,
    settings: Settings,
    inputs: InputResolver,
) -> ApiServices:
    webhooks = WebhookStore(database)
    return ApiServices(
        store=RequestStore(database),
        stats=RequestStats(database),
        journal=TransactionJournal(database),
        registry=registry,
        pull=PullReporter(
            registry,
            signer,
            ChainClock(w3),
            inputs,
            default_validity=settings.api_report_validity,
            max_validity=settings.api_max_report_validity,
        ),
        api_keys=ApiKeyStore(database),
        webhooks=webhooks,
        webhook_guard=DestinationGuard(settings.api_webhook_allow_private),
        dispatcher=WebhookDispatcher(
            # on SQLite a connection of its own: its writes may wait on the node's lock (up to the 30 s busy
            # timeout) without holding the one the API's routes read through (PostgreSQL's pool has several)
            WebhookStore(Database(database.path) if database.engine == "sqlite" else database),
            registry.name_of,
            DeliveryPolicy(
                max_attempts=settings.api_webhook_max_attempts,
                backoff_seconds=settings.api_webhook_backoff,
                timeout_seconds=settings.api_webhook_timeout,
                allow_private=settings.api_webhook_allow_private,
            ),
        ),
        readiness=ReadinessProbe(w3, coordinator, registry, database),
        limiter=rate_limiter_for(database),
        coordinator_address=coordinator.address,
        chain_head=lambda: w3.eth.block_number,
    )
