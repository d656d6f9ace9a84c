"""The API's own settings, made from the node's Settings by the runtime (oracle.runtime), or by tests."""

from __future__ import annotations

from dataclasses import dataclass

from oracle.config import LOCAL_DEV_ORIGINS


@dataclass(frozen=True)
class ApiConfig:
    cors_origins: tuple[str, ...] = LOCAL_DEV_ORIGINS
    anonymous_rate_limit: int = 600  # per minute per client address; 0 = none
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-For names the client; none by default
    max_batch: int = 100
    drift_window: int = 500  # newest requests per model compared with its training distribution in /metrics
