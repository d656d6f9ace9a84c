"""What a request pays, and whether that covers what answering it costs the transmitter at today's gas price.

The coordinator charges every request at least `feeWei + (callbackGasLimit + fulfilment gas) x gasPriceWei`
at the owner's gas price; the chain's price may be higher. The node answers a request only when its fee covers
the gas of its report and callback at the price the node would pay now (the chain's eth_gasPrice, at most the
node's fee cap): a request that does not is left unanswered, expires and is refunded to its consumer
(`cancel`). It is looked at again every tick, so a fall in the gas price lets the node answer it in time.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from web3 import Web3

from oracle.types import Request

log = logging.getLogger(__name__)


class _HasRequest(Protocol):
    @property
    def request_id(self) -> bytes: ...

    @property
    def request(self) -> Request: ...


Pending = TypeVar("Pending", bound=_HasRequest)

# The coordinator's FULFILMENT_BASE_GAS and FULFILMENT_GAS_PER_SIGNER (tests/contracts pin the two together):
# gas a fulfilment spends besides the callback, for a report of `threshold` signatures.
FULFILMENT_BASE_GAS = 45_000
FULFILMENT_GAS_PER_SIGNER = 12_000

# Declined requests remembered so each is logged once: the newest this many (an old one is logged again at most).
DECLINED_REMEMBERED = 10_000


@dataclass(frozen=True)
class ModelPricing:
    """The coordinator's ModelPricing: a base fee, the gas price the callback and the fulfilment are charged
    at, and the largest callback gas limit a request may ask for."""

    fee_wei: int
    gas_price_wei: int
    max_callback_gas_limit: int

    def as_abi(self) -> tuple[int, int, int]:
        return (self.fee_wei, self.gas_price_wei, self.max_callback_gas_limit)

    def request_fee(self, callback_gas_limit: int, threshold: int) -> int:
        """What the coordinator's `requestFee` returns for this pricing."""
        return self.fee_wei + answer_gas(callback_gas_limit, threshold) * self.gas_price_wei


def answer_gas(callback_gas_limit: int, threshold: int) -> int:
    """The most gas one report of `threshold` signatures and its callback can cost its transmitter."""
    return callback_gas_limit + FULFILMENT_BASE_GAS + FULFILMENT_GAS_PER_SIGNER * threshold


def pays(request: Request, threshold: int, gas_price_wei: int) -> bool:
    """Whether `request`'s fee covers its answer at `gas_price_wei`."""
    return request.fee_wei >= answer_gas(request.callback_gas_limit, threshold) * gas_price_wei


class AnswerPricing:
    """Keeps the requests whose fee pays for their answer at the gas price the node would pay now."""

    def __init__(
        self,
        w3: Web3,
        threshold: Callable[[], int],
        max_fee_per_gas_cap: int | None = None,
        remembered: int = DECLINED_REMEMBERED,
    ) -> None:
        self._w3 = w3
        self._threshold = threshold
        self._cap = max_fee_per_gas_cap
        self._declined: OrderedDict[bytes, None] = OrderedDict()  # logged once each, the newest `remembered`
        self._remembered = remembered

    def gas_price(self) -> int:
        """eth_gasPrice (base fee and tip), or the node's fee cap when lower: the node never pays more per gas."""
        price = int(self._w3.eth.gas_price)
        return price if self._cap is None else min(price, self._cap)

    def affordable(self, requests: Sequence[Pending]) -> list[Pending]:
        """The requests that pay for their answer now; the others are declined (each logged once)."""
        if not requests:
            return []
        price, threshold = self.gas_price(), self._threshold()
        kept = []
        for pending in requests:
            if pays(pending.request, threshold, price):
                kept.append(pending)
            elif pending.request_id not in self._declined:
                self._declined[pending.request_id] = None
                if len(self._declined) > self._remembered:
                    self._declined.popitem(last=False)
                log.warning(
                    "declining request 0x%s: its fee of %d wei does not cover %d gas at %d wei/gas; it expires and "
                    "is refunded unless the gas price falls before its deadline",
                    pending.request_id.hex(),
                    pending.request.fee_wei,
                    answer_gas(pending.request.callback_gas_limit, threshold),
                    price,
                )
        return kept
