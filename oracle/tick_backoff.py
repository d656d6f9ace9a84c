"""How the node's loop waits and logs after a failed tick: the first failure with its traceback, each
further one in a single line, the wait doubling from the poll interval up to MAX_WAIT_SECONDS; the
recovery is logged once. A refused RPC once wrote a full traceback every half second (about 1 GB a day)."""

from __future__ import annotations

import logging

from oracle.node_metrics import TICK_FAILURES

log = logging.getLogger("oracle.node")

MAX_WAIT_SECONDS = 30.0


class TickBackoff:
    def __init__(self, base_seconds: float, max_seconds: float = MAX_WAIT_SECONDS) -> None:
        self._base = base_seconds
        self._max = max(max_seconds, base_seconds)
        self.failures = 0  # in a row

    def failed(self, error: BaseException) -> float:
        """Counts and logs a failed tick; returns the seconds to wait before the next one."""
        self.failures += 1
        TICK_FAILURES.inc()
        wait = min(self._base * 2.0 ** (self.failures - 1), self._max)
        if self.failures == 1:
            log.error("tick failed; retrying in %.2g s", wait, exc_info=error)
        else:
            log.error(
                "tick failed again (%d in a row), retrying in %.2g s: %s: %s",
                self.failures,
                wait,
                type(error).__name__,
                str(error)[:200],
            )
        return wait

    def succeeded(self) -> None:
        if self.failures:
            log.warning("tick succeeded after %d failures in a row", self.failures)
            self.failures = 0
