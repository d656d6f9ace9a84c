"""JSON-RPC calls answered as plain JSON, for the hot paths where web3's result formatters cost more than the call."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint


def raw_call(w3: Web3, method: str, params: list) -> Any:
    """The `result` of `method`, unformatted; raises Web3RPCError with the node's error when there is one."""
    response = w3.provider.make_request(RPCEndpoint(method), params)
    if "error" in response:
        raise Web3RPCError(f"{method} failed: {response['error']}")
    return response.get("result")
