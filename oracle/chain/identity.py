"""The chain the node is pointed at, checked against the one its store belongs to before anything is read or sent.

A store holds requests, answers and a transaction journal whose nonces only mean something on one chain:
after a chain reset (a new genesis), on another network or against another coordinator, they would be
resent, bumped and waited on forever. The node refuses to start instead, and says what differs.
"""

from __future__ import annotations

import logging

from eth_utils import to_checksum_address
from web3 import Web3

from oracle.config import ConfigError
from oracle.store.chain_identity import ChainIdentity, ChainIdentityStore

log = logging.getLogger(__name__)


class ChainMismatch(ConfigError):
    """The store belongs to another chain, genesis or coordinator than the node is configured for."""


def current_identity(w3: Web3, coordinator: str) -> ChainIdentity:
    return ChainIdentity(int(w3.eth.chain_id), bytes(w3.eth.get_block(0)["hash"]), to_checksum_address(coordinator))


def check_chain_identity(store: ChainIdentityStore, current: ChainIdentity, database: str) -> None:
    """Records `current` in a new store; raises ChainMismatch when the store was made for another chain."""
    recorded = store.record_first(current)
    differences = recorded.differences(current)
    if differences:
        raise ChainMismatch(
            f"the store {database} was made for another chain: the node is pointed at {'; '.join(differences)}."
            " Its requests and journalled transactions mean nothing there. Give this chain its own store"
            " (ORACLE_DATABASE at a new file) or point the node back at the store's chain and coordinator."
        )
    log.info(
        "store %s belongs to chain %d (genesis 0x%s…), coordinator %s",
        database,
        current.chain_id,
        current.genesis_hash.hex()[:12],
        current.coordinator,
    )
