"""Evidence from the chain that the node acts on only once it has held over several reads spanning several blocks.

One read is not enough to declare a transaction dropped or a nonce lost: a node may report an account's nonce
before it serves the receipt, a load-balanced RPC mixes backends that lag each other, and a reorg can move a
nonce back for a block or two.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass
class Sighting:
    since_block: int
    reads: int = 0


class Evidence:
    """Per key, since which block and over how many reads something has been seen; confirmed after `reads`
    reads spanning at least `blocks` blocks, without a read in between that contradicted it."""

    def __init__(self, reads: int, blocks: int) -> None:
        self._reads = reads
        self._blocks = blocks
        self._seen: dict[Hashable, Sighting] = {}

    def __contains__(self, key: Hashable) -> bool:
        return key in self._seen

    def observe(self, key: Hashable, block_number: int) -> Sighting | None:
        """Records one more read that shows it; returns the sighting (and forgets it) once it is confirmed."""
        sighting = self._seen.setdefault(key, Sighting(block_number))
        sighting.reads += 1
        if sighting.reads < self._reads or block_number - sighting.since_block < self._blocks:
            return None
        return self._seen.pop(key)

    def withdraw(self, key: Hashable) -> bool:
        """A read contradicted it: start again. True when there was evidence to withdraw."""
        return self._seen.pop(key, None) is not None

    def keep_only(self, keys: Iterable[Hashable]) -> None:
        wanted = set(keys)
        self._seen = {key: sighting for key, sighting in self._seen.items() if key in wanted}
