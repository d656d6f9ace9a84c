"""The chain's clock as seen from here: what `block.timestamp` will be, for reports that expire on chain."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from web3 import Web3

log = logging.getLogger(__name__)


class ChainClock:
    """max(wall clock, latest block's timestamp carried forward by the wall time since it was read).

    A live chain's head lags the wall clock by a block or so, and an idle dev chain (anvil mines only on
    demand) by any amount: there the wall clock is the better guess for the next block. A test chain
    whose time was moved forward runs ahead of the wall clock: there the head is. The head is read at
    most every `refresh_seconds`; if the chain cannot be reached, the last reading is kept.

    One caller reads the head while the others go on with the last reading: the lock is never held across
    the RPC call, so a hung endpoint delays one caller (up to the RPC timeout), not every request that asks
    the time.
    """

    def __init__(self, w3: Web3, refresh_seconds: float = 5.0, wall: Callable[[], float] = time.time) -> None:
        self._w3 = w3
        self._refresh = refresh_seconds
        self._wall = wall
        self._lock = threading.Lock()
        self._tried_at = float("-inf")
        self._head: tuple[float, float] | None = None  # (block timestamp, wall time it was read at)

    def now(self) -> int:
        wall = self._wall()
        with self._lock:
            due = wall - self._tried_at >= self._refresh
            if due:
                self._tried_at = wall  # the others keep the last reading meanwhile
        if due:
            self._read_head(wall)
        with self._lock:
            head = self._head
        if head is None:
            return int(wall)
        block_time, read_at = head
        return int(max(wall, block_time + (wall - read_at)))

    def _read_head(self, wall: float) -> None:
        try:
            block_time = float(self._w3.eth.get_block("latest")["timestamp"])
        except Exception as error:  # keep the last reading: the chain checks the report anyway
            log.warning("cannot read the chain head's time (%s); using the last reading", type(error).__name__)
            return
        with self._lock:
            if self._head is None or self._head[1] <= wall:
                self._head = (block_time, wall)
