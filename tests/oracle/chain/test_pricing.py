"""AnswerPricing without a chain: which requests pay at the node's price, and declines logged once each."""

import logging
from dataclasses import dataclass
from types import SimpleNamespace

from oracle.chain.pricing import AnswerPricing, answer_gas
from oracle.types import Request


@dataclass(frozen=True)
class Due:
    request_id: bytes
    request: Request


def due(number: int, fee_wei: int) -> Due:
    request = Request(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, fee_wei, 0, 100_000)
    return Due(number.to_bytes(32, "big"), request)


def pricing(gas_price: int, cap: int | None = None, remembered: int = 10_000) -> AnswerPricing:
    w3 = SimpleNamespace(eth=SimpleNamespace(gas_price=gas_price))
    return AnswerPricing(w3, lambda: 3, max_fee_per_gas_cap=cap, remembered=remembered)


def test_keeps_what_pays_at_the_chain_price_or_the_cap_when_lower():
    cost = answer_gas(100_000, 3)
    paying, short = due(1, cost * 10), due(2, cost * 10 - 1)
    assert pricing(10).affordable([paying, short]) == [paying]
    assert pricing(50, cap=10).affordable([paying, short]) == [paying]  # the node never pays above its cap
    assert pricing(9).affordable([paying, short]) == [paying, short]


def test_a_declined_request_is_logged_once_and_memory_stays_bounded(caplog):
    node = pricing(10**9, remembered=2)
    first, second, third = due(1, 1), due(2, 1), due(3, 1)
    with caplog.at_level(logging.WARNING, logger="oracle.chain.pricing"):
        for _ in range(3):
            assert node.affordable([first, second]) == []
        assert sum("declining request" in r.getMessage() for r in caplog.records) == 2
        node.affordable([third])  # remembers the newest two only
        node.affordable([first])  # forgotten, so logged again
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"declining request 0x{first.request_id.hex()}",
        f"declining request 0x{second.request_id.hex()}",
        f"declining request 0x{third.request_id.hex()}",
        f"declining request 0x{first.request_id.hex()}",
    ]
