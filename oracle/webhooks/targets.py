"""Where a webhook may POST: public addresses only, checked after DNS resolution, at registration and again
at every delivery, which then connects to the very address that was checked (a name that resolves to a
public address when registered and to 127.0.0.1 later is refused, not followed).

Without this check a caller with the webhooks scope could make the API POST to the chain's RPC, the
cloud's metadata service or any port on the operator's network, and read the outcome in the deliveries.
`allow_private` (ORACLE_API_WEBHOOK_ALLOW_PRIVATE) admits loopback and private networks for local
development; cloud metadata addresses stay refused even then.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable

import httpx

from oracle.errors import OracleError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses the name resolves to
Resolver = Callable[[str, int], list[str]]

# Instance metadata services (AWS, GCP, Azure, OpenStack; AWS IPv6; ECS task credentials; Alibaba; Oracle).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "192.0.0.192")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(OracleError, ValueError):
    """A webhook URL names, or resolves to, an address the API must not connect to. The message is for the
    operator's log; callers are told only that the destination is not allowed."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), which is where it leads."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IPAddress, allow_private: bool) -> str | None:
    """Why the API must not connect to `address`, or None when it may."""
    for candidate in (address, _embedded_ipv4(address)):
        if candidate is None:
            continue
        if candidate in METADATA_ADDRESSES:
            return f"{candidate} is a cloud metadata address"
        if candidate.is_multicast or candidate.is_unspecified:
            return f"{candidate} is not a unicast address"
        if not candidate.is_global and not allow_private:
            return f"{candidate} is not a public address (loopback, private, link-local or reserved)"
    return None


class DestinationGuard:
    def __init__(self, allow_private: bool = False, resolver: Resolver = system_resolver) -> None:
        self.allow_private = allow_private
        self._resolve = resolver

    def check(self, url: str | httpx.URL) -> IPAddress:
        """The address to connect to for `url`: every address its host resolves to must be allowed (a name
        with one public and one private address is refused), and the first is used."""
        url = httpx.URL(str(url)) if not isinstance(url, httpx.URL) else url
        host = url.host
        if url.scheme not in ("http", "https") or not host:
            raise UnsafeDestination(f"{url.scheme}://{host}: only http(s) URLs with a host")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in self._resolve(host, port)]
            except (OSError, UnicodeError) as error:
                raise UnsafeDestination(f"{host}: does not resolve ({error})") from None
        if not addresses:
            raise UnsafeDestination(f"{host}: resolves to no address")
        for address in addresses:
            reason = refusal(address, self.allow_private)
            if reason is not None:
                raise UnsafeDestination(f"{host}: {reason}")
        return addresses[0]


class PinnedTransport(httpx.BaseTransport):
    """Checks each request's destination with the guard and connects to the checked address itself; the
    Host header and the TLS server name (certificate check included) stay the URL's host name."""

    def __init__(self, guard: DestinationGuard, inner: httpx.BaseTransport | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpx.HTTPTransport(trust_env=False, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        address = self._guard.check(request.url)
        request.url = request.url.copy_with(host=str(address))
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
