"""Builds and wires the node's parts from Settings: the only place they are put together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import requests
from coincurve import PrivateKey
from eth_account.signers.local import LocalAccount
from web3 import Web3

from oracle import logs
from oracle.chain.attestations import AttestationRegistry
from oracle.chain.clock import ChainClock
from oracle.chain.coordinator import Coordinator
from oracle.chain.eip712 import domain_separator
from oracle.chain.identity import check_chain_identity, current_identity
from oracle.chain.listener import RequestListener
from oracle.chain.pricing import AnswerPricing
from oracle.chain.rpc import BoundedHTTPProvider
from oracle.chain.signer import ObservationSigner
from oracle.chain.tx_manager import TransactionManager
from oracle.config import ConfigError, Settings
from oracle.keys import node_account
from oracle.ml.artifact import TRUSTED_TYPES
from oracle.ml.registry import ModelRegistry, registered_models
from oracle.network.intake import ObservationIntake
from oracle.network.outbox import Peer, PeerOutbox
from oracle.network.pull_cosign import PullCosigner
from oracle.network.pull_quorum import PullQuorum
from oracle.network.quorum import tolerated_faults
from oracle.network.signers import SignerSetView
from oracle.network.transmission import TransmitSchedule
from oracle.node import Network, OracleNode
from oracle.node_metrics import MetricsServer, NodeGauges
from oracle.privacy.inputs import InputResolver
from oracle.privacy.keys import encryption_key, public_key
from oracle.pull import PullReporter
from oracle.store.api_keys import ApiKeyStore
from oracle.store.chain_identity import ChainIdentityStore
from oracle.store.database import Engine
from oracle.store.engines import open_database
from oracle.store.housekeeping import Housekeeping, Retention
from oracle.store.observations import ObservationStore
from oracle.store.request_stats import RequestStats
from oracle.store.requests import RequestStore
from oracle.store.transactions import TransactionJournal
from oracle.store.webhooks import WebhookStore
from oracle.webhooks.dispatcher import DeliveryPolicy, WebhookDispatcher
from oracle.webhooks.targets import DestinationGuard

# The API's modules (FastAPI) load in the methods that build the API, so a node that serves none never loads them.
if TYPE_CHECKING:
    from fastapi import FastAPI

    from oracle.api.config import ApiConfig
    from oracle.api.network_services import NetworkApi
    from oracle.api.services import ApiServices
    from oracle.store.lease import FileLease, PostgresLease

log = logging.getLogger(__name__)


def connect(rpc_url: str, timeout: float = 10) -> Web3:
    # Proxy settings are read from the environment once, here: left to requests, they are looked up
    # again on every call, which costs more than a JSON-RPC round trip to a local node.
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(rpc_url)
    w3 = Web3(BoundedHTTPProvider(rpc_url, timeout, session))  # one attempt per call, no hidden retries
    # The node builds every transaction itself from checksummed addresses: web3's validation middleware
    # (an eth_chainId call per transaction-shaped request) and ENS name resolution add round trips, not checks.
    for middleware in ("validation", "ens_name_to_address"):
        w3.middleware_onion.remove(middleware)
    if not w3.is_connected():
        raise ConfigError(f"ORACLE_RPC_URL: no JSON-RPC answer from {_without_credentials(rpc_url)}")
    return w3


def _without_credentials(url: str) -> str:
    """An RPC URL often carries an API key in its path or query: show scheme and host only."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('@')[-1]}"


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def w3(self) -> Web3:
        return connect(self.settings.rpc_url, self.settings.rpc_timeout)

    @cached_property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    @cached_property
    def coordinator(self) -> Coordinator:
        return Coordinator(self.w3, self.settings.coordinator, chain_id=self.chain_id)

    @cached_property
    def account(self) -> LocalAccount:
        """The node's key, read here and only here (a keystore needs no chain; a raw key asks its chain id)."""
        account = node_account(self.settings, lambda: self.chain_id)
        logs.add_secret(account.key.hex())  # never logged, in any form
        if self.settings.keystore_password is not None:
            logs.add_secret(self.settings.keystore_password.get_secret_value())
        return account

    @cached_property
    def database(self) -> Engine:
        return open_database(self.settings.database)

    @cached_property
    def store(self) -> RequestStore:
        return RequestStore(self.database)

    @cached_property
    def journal(self) -> TransactionJournal:
        return TransactionJournal(self.database)

    @cached_property
    def registry(self) -> ModelRegistry:
        self.settings.check_models_dir()
        registry = ModelRegistry(
            self.settings.models_dir,
            self.coordinator,
            self.settings.models or registered_models(self.settings.models_dir, self.coordinator),
            TRUSTED_TYPES | set(self.settings.models_trusted_types),
        )
        registry.load()
        return registry

    @cached_property
    def signer(self) -> ObservationSigner:
        signer = ObservationSigner(self.account, self.coordinator.domain)
        if not self.coordinator.is_signer(signer.address):
            raise ConfigError(
                f"the node's key {signer.address} is not a registered signer of the coordinator "
                f"{self.coordinator.address}: the owner adds it with addSigner"
            )
        return signer

    def listener(self) -> RequestListener:
        s = self.settings
        return RequestListener(
            self.w3,
            self.coordinator.address,
            self.store,
            confirmations=s.confirmations_on(self.chain_id),
            log_range=s.log_range,
            start_block=s.start_block or 0,
            reorg_depth=s.reorg_depth,
        )

    def tx_manager(self) -> TransactionManager:
        s = self.settings
        return TransactionManager(
            self.w3,
            self.account,
            self.journal,
            error_abi=self.coordinator.error_abi,
            max_in_flight=s.max_in_flight,
            stuck_after_blocks=s.stuck_after_blocks,
            fee_bump_percent=s.fee_bump_percent,
            max_fee_per_gas_cap=s.max_fee_per_gas_cap,
            drop_after_blocks=s.drop_after_blocks,
        )

    @cached_property
    def observations(self) -> ObservationStore:
        return ObservationStore(self.database)

    @cached_property
    def signer_set(self) -> SignerSetView:
        return SignerSetView(lambda max_age: self.coordinator.signer_set(max_age_seconds=max_age))

    @cached_property
    def peers(self) -> tuple[Peer, ...]:
        """The configured peers, each checked against the coordinator's signer set."""
        peers = tuple(Peer(address, url) for address, url in self.settings.peer_endpoints)
        membership = self.signer_set.current()
        own = self.signer.address
        for peer in peers:
            if peer.address == own:
                raise ConfigError(f"ORACLE_PEERS lists this node's own signer {own}")
            if peer.address not in membership.signers:
                raise ConfigError(
                    f"ORACLE_PEERS: {peer.address} ({peer.url}) is not a registered signer of the coordinator "
                    f"{self.coordinator.address}: the owner adds it with addSigner, or remove it from the peers"
                )
        if membership.threshold > 1 + len(peers):
            raise ConfigError(
                f"the coordinator's threshold is {membership.threshold}: this node needs at least "
                f"{membership.threshold - 1} peers in ORACLE_PEERS to gather a quorum, it has {len(peers)}"
            )
        n, k = len(membership.signers), membership.threshold
        if n > 1 and tolerated_faults(n, k) == 0:
            log.warning(
                "the coordinator's %d-of-%d signer set tolerates no faulty signer: one signer can set answers "
                "or stop them (see the README's safety rule)",
                k,
                n,
            )
        return peers

    def network(self) -> Network:
        """How the node takes part in the network; alone when no peers are configured."""
        peers = self.peers
        s = self.settings
        return Network(
            observations=self.observations,
            membership=self.signer_set.current,
            outbox=PeerOutbox(peers, self.observations, self.store.open_ids, timeout_seconds=s.peer_timeout)
            if peers
            else None,
            schedule=TransmitSchedule(self.signer.address, s.transmit_stagger) if peers else None,
            pending=self.coordinator.pending,
        )

    def network_api(self, on_new_observations: Callable[[], None] | None = None) -> NetworkApi:
        """The peers' routes of the API (observations, pull co-signatures) and the quorum for pull reports."""
        from oracle.api.network_services import NetworkApi
        from oracle.api.rate_limit import rate_limiter_for

        separator = domain_separator(self.signer.domain)
        return NetworkApi(
            observations=self.observations,
            intake=ObservationIntake(
                self.observations, separator, self.signer_set, self.signer.address, on_new_observations
            ),
            cosigner=PullCosigner(
                self.registry,
                self.signer,
                separator,
                self.signer_set,
                ChainClock(self.w3),
                self.inputs,
                self.settings.api_max_report_validity,
            ),
            quorum=PullQuorum(self.peers, self.signer_set, separator, timeout_seconds=self.settings.peer_timeout)
            if self.peers
            else None,
            limiter=rate_limiter_for(self.database),
            rate_limit=self.settings.api_peer_rate_limit,
        )

    def api_config(self) -> ApiConfig:
        from oracle.api.config import ApiConfig

        s = self.settings
        return ApiConfig(
            cors_origins=s.api_cors_origins,
            anonymous_rate_limit=s.api_anonymous_rate_limit,
            trusted_proxies=s.api_trusted_proxies,
            max_batch=s.api_max_batch,
        )

    def api_services(self, database: Engine | None = None) -> ApiServices:
        """What the API's routes work with, on the node's store (or on `database`, as each API test has its own)."""
        from oracle.api.rate_limit import rate_limiter_for
        from oracle.api.readiness import ReadinessProbe
        from oracle.api.services import ApiServices

        s = self.settings
        pull = PullReporter(  # models and key first: their errors are the ones an operator meets first
            self.registry,
            self.signer,
            ChainClock(self.w3),
            self.inputs,
            default_validity=s.api_report_validity,
            max_validity=s.api_max_report_validity,
        )
        database = self.database if database is None else database
        return ApiServices(
            store=RequestStore(database),
            stats=RequestStats(database),
            journal=TransactionJournal(database),
            registry=self.registry,
            pull=pull,
            api_keys=ApiKeyStore(database),
            webhooks=WebhookStore(database),
            webhook_guard=DestinationGuard(s.api_webhook_allow_private),
            readiness=ReadinessProbe(self.w3, self.coordinator, self.registry, database),
            limiter=rate_limiter_for(database),
            coordinator_address=self.coordinator.address,
            chain_head=lambda: self.w3.eth.block_number,
        )

    def webhook_dispatcher(self, database: Engine | None = None) -> WebhookDispatcher:
        """The worker that delivers webhooks beside the API (not started), on the node's store or on `database`."""
        database = self.database if database is None else database
        s = self.settings
        return WebhookDispatcher(
            WebhookStore(database.for_worker()),
            self.registry.name_of,
            DeliveryPolicy(
                max_attempts=s.api_webhook_max_attempts,
                backoff_seconds=s.api_webhook_backoff,
                timeout_seconds=s.api_webhook_timeout,
                allow_private=s.api_webhook_allow_private,
            ),
            interval_seconds=s.api_webhook_interval,
        )

    def api_app(self, on_new_observations: Callable[[], None] | None = None) -> FastAPI:
        """The HTTP API on this node's store, models and key (`oracle api`, or inside `oracle node run`), with the
        webhook dispatcher running beside it unless ORACLE_API_WEBHOOK_DELIVERY is off."""
        from oracle.api import create_app

        services = self.api_services()
        workers = [self.webhook_dispatcher()] if self.settings.api_webhook_delivery else []
        return create_app(services, self.api_config(), self.network_api(on_new_observations), workers)

    @cached_property
    def encryption_key(self) -> PrivateKey:
        """The key private inputs are sealed to, derived from the node's signing key."""
        return encryption_key(bytes(self.account.key))

    @cached_property
    def attestation_registry(self) -> AttestationRegistry | None:
        address = self.coordinator.attestation_registry()
        return None if address is None else AttestationRegistry(self.w3, address, self.chain_id)

    @cached_property
    def inputs(self) -> InputResolver:
        """One resolver (and one chain clock) for the node, the API and the co-signer."""
        return InputResolver(
            self.signer.address, self.encryption_key, self.attestation_registry, ChainClock(self.w3).now
        )

    def publish_encryption_key(self, tx_manager: TransactionManager) -> None:
        """Publishes this node's encryption key on the coordinator (through the journal, so exactly once) when
        the one there differs: frontends seal private inputs to the keys they find there."""
        own = public_key(self.encryption_key)
        if self.coordinator.encryption_key_of(self.signer.address) == own:
            return
        tx_manager.submit(
            self.coordinator.address, self.coordinator.set_encryption_key_calldata(own), gas_limit=150_000
        )
        log.info("publishing this node's encryption key 0x%s on the coordinator", own.hex())

    def node_lease(self) -> FileLease | PostgresLease:
        """Blocks until this process is the one node acting for its key on its store (see oracle/store/lease.py).
        The store is opened (and migrated) and the models and signer are loaded and checked first, so that a
        standby takes over warm."""
        from oracle.store.lease import hold_node_lease

        _ = self.database, self.registry, self.signer
        lease: FileLease | PostgresLease = hold_node_lease(self.settings.database, self.account.address)
        return lease

    def check_chain(self) -> None:
        """Refuses a store made for another chain id, genesis or coordinator (records them in a new store)."""
        identity = current_identity(self.w3, self.coordinator.address)
        check_chain_identity(ChainIdentityStore(self.database), identity, str(self.settings.database))

    def node(self) -> OracleNode:
        self.check_chain()
        tx_manager = self.tx_manager()
        self.publish_encryption_key(tx_manager)
        return OracleNode(
            self.w3,
            self.coordinator,
            self.store,
            self.registry,
            self.signer,
            self.listener(),
            tx_manager,
            self.network(),
            self.inputs,
            max_batch=self.settings.max_batch,
            deadline_margin=self.settings.deadline_margin,
            housekeeping=Retention(Housekeeping(self.database), self.settings.retention_days),
            pricing=AnswerPricing(
                self.w3, lambda: self.signer_set.current().threshold, self.settings.max_fee_per_gas_cap
            ),
        )

    def metrics_server(self) -> MetricsServer | None:
        """The node's own Prometheus metrics on ORACLE_METRICS_PORT (not started), or None when unset."""
        if self.settings.metrics_port is None:
            return None
        address = self.account.address
        gauges = NodeGauges(
            balance_wei=lambda: self.w3.eth.get_balance(address),
            fees_paid_wei=lambda: self.journal.stats().fees_paid_wei,
            oldest_sent_at=Housekeeping(self.database).oldest_sent_at,
        )
        return MetricsServer(gauges, self.settings.metrics_host, self.settings.metrics_port)
