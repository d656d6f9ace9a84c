"""The client's address (what anonymous rate limits key on) comes from X-Forwarded-For only when the
connecting peer is a configured proxy: by default uvicorn believed any loopback peer's header."""

from contextlib import contextmanager

import httpx
import pytest

from oracle.api import create_app
from oracle.api.config import ApiConfig
from oracle.api.server import serve_in_thread
from scripts.ports import free_port


@contextmanager
def served(services, **config):
    port = free_port()
    api = serve_in_thread(create_app(services, ApiConfig(**config)), "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        api.should_exit = True


def statuses(base: str, forwarded_for: list[str]) -> list[int]:
    return [
        httpx.get(base + "/v1/models", headers={"X-Forwarded-For": address}, timeout=10).status_code
        for address in forwarded_for
    ]


ROTATING = [f"203.0.113.{n}" for n in range(1, 9)]


def test_a_rotating_forwarded_for_does_not_dodge_the_anonymous_limit(services):
    with served(services, anonymous_rate_limit=5) as base:
        assert statuses(base, ROTATING) == [200] * 5 + [429] * 3


def test_a_configured_proxy_names_the_client(services):
    with served(services, anonymous_rate_limit=5, trusted_proxies=("127.0.0.1",)) as base:
        assert statuses(base, ROTATING) == [200] * 8  # eight clients behind the proxy
        assert statuses(base, ["198.51.100.7"] * 6) == [200] * 5 + [429]


@pytest.mark.parametrize("proxies", ["*", "proxy.example", "10.0.0.300"])
def test_trusted_proxies_must_be_addresses_or_networks(settings, proxies):
    from oracle.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="ORACLE_API_TRUSTED_PROXIES"):
        load_settings(
            environ={"ORACLE_API_TRUSTED_PROXIES": proxies}, rpc_url=settings.rpc_url, coordinator=settings.coordinator
        )
