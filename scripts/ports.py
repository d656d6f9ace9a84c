"""Ports for servers started a moment later: the demo's nodes, the tests' servers and the benchmarks' nodes and APIs."""

from __future__ import annotations

import random
import socket

_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port free now and below the kernel's ephemeral range, for a server a test starts later. A port the
    kernel hands out for port 0 is an ephemeral one, which any outbound connection (to anvil, to a peer) may
    take as its local port before the server binds it; ports below the range are only ever bound on purpose."""
    low = _ephemeral_low()
    for _ in range(1000):
        port = random.randrange(20000, low) if low > 21000 else random.randrange(1024, 65536)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")
