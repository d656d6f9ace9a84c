"""The head block's header fields the node uses, read as plain JSON (web3 formats every field of a full block)."""

from __future__ import annotations

from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.datastructures import AttributeDict

from oracle.chain.rpc import raw_call


def latest_block(w3: Web3) -> AttributeDict[str, Any]:
    """number, hash, parentHash, timestamp, gasLimit and baseFeePerGas (0 before London) of the latest block."""
    raw = raw_call(w3, "eth_getBlockByNumber", ["latest", False])
    return AttributeDict(
        {
            "number": int(raw["number"], 16),
            "hash": HexBytes(raw["hash"]),
            "parentHash": HexBytes(raw["parentHash"]),
            "timestamp": int(raw["timestamp"], 16),
            "gasLimit": int(raw["gasLimit"], 16),
            "baseFeePerGas": int(raw.get("baseFeePerGas") or "0x0", 16),
        }
    )
