"""Builds and wires the node's parts from Settings: the only place they are put together."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import requests
from web3 import Web3
from web3.contract import Contract

from oracle.chain.abi import coordinator_abi
from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.listener import RequestListener
from oracle.chain.signer import ObservationSigner
from oracle.chain.tx_manager import TransactionManager
from oracle.config import ConfigError, Settings
from oracle.ml.artifact import TRUSTED_TYPES
from oracle.ml.registry import ModelRegistry
from oracle.node import OracleNode
from oracle.store.database import Database
from oracle.store.requests import RequestStore
from oracle.store.transactions import TransactionJournal

log = logging.getLogger(__name__)


def connect(rpc_url: str, timeout: float = 10) -> Web3:
    # Proxy settings are read from the environment once, here: left to requests, they are looked up
    # again on every call, which costs more than a JSON-RPC round trip to a local node.
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(rpc_url)
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}, session=session))
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
        return connect(self.settings.rpc_url)

    @cached_property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    @cached_property
    def coordinator(self) -> Contract:
        address = self.settings.coordinator
        if not self.w3.eth.get_code(address):
            raise ConfigError(f"ORACLE_COORDINATOR: no contract at {address} on chain {self.chain_id}")
        return self.w3.eth.contract(address=address, abi=coordinator_abi())

    @cached_property
    def account(self):
        return self.settings.load_account(self.chain_id)

    @cached_property
    def database(self) -> Database:
        return Database(self.settings.database)

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
            self.settings.models,
            TRUSTED_TYPES | set(self.settings.models_trusted_types),
        )
        registry.load()
        return registry

    @cached_property
    def signer(self) -> ObservationSigner:
        signer = ObservationSigner(self.account, CoordinatorDomain(self.chain_id, self.coordinator.address))
        if not self.coordinator.functions.isSigner(signer.address).call():
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
            confirmations=s.confirmations,
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
            error_abi=coordinator_abi(),
            max_in_flight=s.max_in_flight,
            stuck_after_blocks=s.stuck_after_blocks,
            fee_bump_percent=s.fee_bump_percent,
            max_fee_per_gas_cap=s.max_fee_per_gas_cap,
        )

    def api_app(self):
        """The HTTP API on this node's store, models and key (`oracle api`)."""
        from oracle.api import create_app
        from oracle.api.services import ApiConfig, build_services

        services = build_services(
            w3=self.w3,
            coordinator=self.coordinator,
            registry=self.registry,
            signer=self.signer,
            database=self.database,
            settings=self.settings,
        )
        return create_app(services, ApiConfig.from_settings(self.settings))

    def node(self) -> OracleNode:
        return OracleNode(
            self.w3,
            self.coordinator,
            self.store,
            self.registry,
            self.signer,
            self.listener(),
            self.tx_manager(),
            max_batch=self.settings.max_batch,
            deadline_margin=self.settings.deadline_margin,
        )
