"""Webhook SSRF: no POST to loopback, private, link-local or metadata addresses, checked after resolution at
registration and again at delivery, which connects to the checked address (no DNS rebinding)."""

import ipaddress
import json
import logging
import time

import pytest

from oracle.webhooks.dispatcher import NO_ANSWER, DeliveryPolicy, WebhookDispatcher
from oracle.webhooks.targets import DestinationGuard, UnsafeDestination, refusal
from tests.oracle.api.receiver import Receiver
from tests.oracle.api.store_helpers import confirm


def register(client, headers, url):
    return client.post(
        "/v1/webhooks",
        json={"url": url, "model": "credit-risk", "threshold": 3_000, "direction": "above"},
        headers=headers,
    )


class Dns:
    """A resolver whose answers the test changes, as a rebinding attacker's name server does."""

    def __init__(self, **names: str) -> None:
        self.names = dict(names)

    def __call__(self, host: str, port: int) -> list[str]:
        if host not in self.names:
            raise OSError(f"no such name {host}")
        return [self.names[host]]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8545/",
        "http://localhost:22/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://10.1.2.3/",
        "http://[::ffff:127.0.0.1]:8545/",
        "http://0.0.0.0:8545/",
        "http://rebind.example/",
        "http://unresolvable.example/",
    ],
)
def test_registration_refuses_non_public_destinations(client, keys, services, caplog, url):
    services.webhook_guard = DestinationGuard(resolver=Dns(**{"localhost": "127.0.0.1", "rebind.example": "10.0.0.7"}))
    with caplog.at_level(logging.WARNING, logger="oracle.api.routers.webhooks"):
        response = register(client, keys.webhooks, url)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"] == [
        {"field": "body.url", "reason": "not an allowed destination: it must resolve to public addresses"}
    ]
    assert any("refused" in r.getMessage() for r in caplog.records)  # the operator sees why
    assert client.get("/v1/webhooks", headers=keys.webhooks).json()["items"] == []


def test_registration_accepts_a_public_destination(client, keys, services):
    services.webhook_guard = DestinationGuard(resolver=Dns(**{"alerts.example.org": "93.184.216.34"}))
    assert register(client, keys.webhooks, "https://alerts.example.org/oracle").status_code == 201


def test_metadata_addresses_stay_refused_when_private_targets_are_allowed():
    guard = DestinationGuard(allow_private=True)
    assert guard.check("http://127.0.0.1:9000/") == ipaddress.ip_address("127.0.0.1")
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/"):
        with pytest.raises(UnsafeDestination, match="metadata"):
            guard.check(url)


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::7f00:1", "2002:7f00:1::", "::ffff:10.0.0.1", "224.0.0.1", "100.64.0.1", "fe80::1", "::1"],
)
def test_ipv6_wrappings_and_odd_ranges_are_refused(address):
    assert refusal(ipaddress.ip_address(address), allow_private=False) is not None


def test_delivery_is_refused_when_the_name_rebinds_to_loopback(client, keys, services, caplog):
    with Receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        dns = Dns(**{"hooks.example": "93.184.216.34"})
        services.webhook_guard = DestinationGuard(resolver=dns)
        created = register(client, keys.webhooks, f"http://hooks.example:{port}/hooks/oracle").json()
        dns.names["hooks.example"] = "127.0.0.1"  # the name now points at the API's own host
        confirm(services.store, 1, 7_000)
        hooks = WebhookDispatcher(
            services.webhooks, services.model_name, DeliveryPolicy(), guard=DestinationGuard(resolver=dns)
        )
        with caplog.at_level(logging.WARNING, logger="oracle.webhooks.dispatcher"):
            assert hooks.tick().retrying == 1
        hooks.stop()
    assert receiver.received == []
    [pending] = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=keys.webhooks).json()["items"]
    assert (pending["last_status"], pending["last_error"]) == (None, NO_ANSWER)
    assert any("127.0.0.1 is not a public address" in r.getMessage() for r in caplog.records)


def test_delivery_connects_to_the_checked_address_with_the_urls_host(client, keys, services):
    """The name exists only in the guard's resolver: the POST arrives because the transport connects to the
    address the guard checked, not to whatever a second lookup would return."""
    with Receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        dns = Dns(**{"receiver.test": "127.0.0.1"})
        services.webhook_guard = DestinationGuard(allow_private=True, resolver=dns)
        register(client, keys.webhooks, f"http://receiver.test:{port}/hooks/oracle")
        confirm(services.store, 1, 7_000)
        hooks = WebhookDispatcher(
            services.webhooks,
            services.model_name,
            DeliveryPolicy(allow_private=True),
            clock=time.time,
            guard=DestinationGuard(allow_private=True, resolver=dns),
        )
        assert hooks.tick().delivered == 1
        hooks.stop()
    [post] = receiver.received
    assert post.headers["Host"] == f"receiver.test:{port}"
    assert json.loads(post.body)["value"] == 7_000
