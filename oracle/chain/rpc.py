"""JSON-RPC calls answered as plain JSON, for the hot paths where web3's result formatters cost more than the call."""

from __future__ import annotations

import logging
from typing import Any

import requests
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from oracle.node_metrics import RPC_ERRORS

log = logging.getLogger(__name__)


class BoundedHTTPProvider(HTTPProvider):
    """web3's HTTP provider making one attempt per call, with a timeout. web3's default retries a failed call
    five times with backoff, so one hung endpoint held a caller (and any lock it held) for about a minute;
    here the caller hears at once and decides itself (the node's next tick, the API's client). Calls that
    get no answer are counted (oracle_node_rpc_errors_total) and a hung one is logged."""

    def __init__(self, endpoint_uri: str, timeout_seconds: float, session: requests.Session | None = None) -> None:
        super().__init__(
            endpoint_uri,
            request_kwargs={"timeout": timeout_seconds},
            session=session,
            exception_retry_configuration=None,
        )
        self.timeout_seconds = timeout_seconds

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except requests.Timeout:
            RPC_ERRORS.labels("timeout").inc()
            log.warning(
                "RPC %s got no answer within %g s: the endpoint hangs or is overloaded", method, self.timeout_seconds
            )
            raise
        except requests.ConnectionError as error:
            RPC_ERRORS.labels("connection").inc()
            log.debug("RPC %s: %s", method, type(error).__name__)
            raise


def raw_call(w3: Web3, method: str, params: list[Any]) -> Any:
    """The `result` of `method`, unformatted; raises Web3RPCError with the node's error when there is one."""
    response = w3.provider.make_request(RPCEndpoint(method), params)
    if "error" in response:
        raise Web3RPCError(f"{method} failed: {response['error']}")
    return response.get("result")
