"""Reads PredictionRequested and PrivatePredictionRequested events from confirmed blocks into the store, checkpointed and reorg-safe,
and the PredictionFulfilled / PredictionCancelled events that settle requests whoever sent the answer
(in a network, most answers are sent by another node).

One look at the chain costs a handful of RPC calls whatever the number of requests: the head number,
the hash of the checkpoint block (reorg check), then per range of up to `log_range` blocks one
eth_getLogs filtered by the coordinator's address and the event topic, bracketed by the hash of the
range's last block read before and after, so a reorg during the query is noticed and the range re-read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import BlockNotFound

from oracle.chain import fault_metrics
from oracle.chain.codec import decode_prediction_requested, decode_private_prediction_requested, event_topic
from oracle.chain.rpc import raw_call
from oracle.store.checkpoints import Checkpoint
from oracle.store.requests import RequestStore, SeenRequest, Settlement

log = logging.getLogger(__name__)

PREDICTION_REQUESTED_TOPIC = event_topic("PredictionRequested")
PRIVATE_PREDICTION_REQUESTED_TOPIC = event_topic("PrivatePredictionRequested")
PREDICTION_FULFILLED_TOPIC = event_topic("PredictionFulfilled")
PREDICTION_CANCELLED_TOPIC = event_topic("PredictionCancelled")
_TOPICS = [
    "0x" + t.hex()
    for t in (
        PREDICTION_REQUESTED_TOPIC,
        PRIVATE_PREDICTION_REQUESTED_TOPIC,
        PREDICTION_FULFILLED_TOPIC,
        PREDICTION_CANCELLED_TOPIC,
    )
]


@dataclass(frozen=True)
class ListenResult:
    head: int
    read_to: int | None
    new_requests: int
    reorg_from: int | None = None


class RequestListener:
    def __init__(
        self,
        w3: Web3,
        coordinator: str,
        store: RequestStore,
        *,
        confirmations: int = 1,
        log_range: int = 2_000,
        start_block: int = 0,
        reorg_depth: int = 128,
    ) -> None:
        self._w3 = w3
        self._coordinator = to_checksum_address(coordinator)
        self._store = store
        self._checkpoints = store.checkpoints
        self._confirmations = confirmations
        self._log_range = log_range
        self._start_block = start_block
        self._reorg_depth = reorg_depth
        self._known: dict[int, bytes] = {}  # hashes read from the head block of the current poll

    def poll(self, head_block: Mapping[str, Any] | None = None) -> ListenResult:
        """Reads every confirmed block past the checkpoint; returns how many new requests were stored.
        `head_block` (number, hash, parentHash), when the caller already fetched the latest block, saves round trips."""
        if head_block is None:
            head_block = self._w3.eth.get_block("latest")
        head = head_block["number"]
        self._known = {head: bytes(head_block["hash"]), head - 1: bytes(head_block["parentHash"])}
        reorg_from = self._check_reorg()
        target = head - self._confirmations
        checkpoint = self._checkpoints.get()
        start = self._start_block if checkpoint is None else checkpoint.block_number + 1
        new = 0
        while start <= target:
            end = min(start + self._log_range - 1, target)
            new += self._read_range(start, end)
            start = end + 1
        if target >= 0:
            self._checkpoints.prune(target - self._reorg_depth)
        return ListenResult(head, target if target >= 0 else None, new, reorg_from)

    def _read_range(self, start: int, end: int) -> int:
        # The range's last hash is taken before its logs: if a reorg lands in between, the checkpoint holds the
        # replaced hash, so the next poll finds the mismatch and reads the range again.
        end_hash = self._hash_of(end)
        if end_hash is None:
            raise BlockNotFound(f"block {end} is not on the chain any more")
        logs = self._get_logs(start, end)
        seen, settled = [], []
        for entry in logs:
            topic = bytes.fromhex(entry["topics"][0][2:])
            if topic in (PREDICTION_REQUESTED_TOPIC, PRIVATE_PREDICTION_REQUESTED_TOPIC):
                seen.append(self._decode(entry, private=topic == PRIVATE_PREDICTION_REQUESTED_TOPIC))
            else:
                settled.append(
                    Settlement(
                        bytes.fromhex(entry["topics"][1][2:]),
                        topic == PREDICTION_FULFILLED_TOPIC,
                        int(entry["blockNumber"], 16),
                    )
                )
        inserted = self._store.add_seen(seen, Checkpoint(end, end_hash), settled)
        if seen:
            log.info("blocks %d..%d: %d requests (%d new)", start, end, len(seen), inserted)
        return inserted

    def _get_logs(self, start: int, end: int) -> list[dict[str, Any]]:
        """eth_getLogs answered as plain JSON: web3's result formatters cost more than the query on large ranges."""
        logs = raw_call(
            self._w3,
            "eth_getLogs",
            [
                {
                    "address": self._coordinator,
                    "topics": [_TOPICS],
                    "fromBlock": hex(start),
                    "toBlock": hex(end),
                }
            ],
        )
        return [entry for entry in logs if not entry.get("removed")]

    def _decode(self, entry: dict[str, Any], private: bool) -> SeenRequest:
        if private:  # the features stay sealed in the store, opened only to predict
            request_id, request, sealed = decode_private_prediction_requested(entry)
            features: tuple[int, ...] = ()
        else:
            (request_id, request, features), sealed = decode_prediction_requested(entry), None
        return SeenRequest(
            request_id=request_id,
            request=request,
            features=features,
            block_number=int(entry["blockNumber"], 16),
            block_hash=bytes.fromhex(entry["blockHash"][2:]),
            log_index=int(entry["logIndex"], 16),
            tx_hash=bytes.fromhex(entry["transactionHash"][2:]),
            private=sealed,
        )

    def _check_reorg(self) -> int | None:
        """If the checkpoint block is no longer on the chain, rewinds the store to the block after the newest one
        both chains agree on, and returns that block (where the listener reads again)."""
        checkpoint = self._checkpoints.get()
        if checkpoint is None or self._hash_of(checkpoint.block_number) == checkpoint.block_hash:
            return None
        recorded = self._checkpoints.recent_blocks()
        agreed = self._newest_agreed(recorded)
        if agreed is not None:
            fork = agreed.block_number + 1
            dropped, resent = self._store.rewind(fork)
            fault_metrics.REORGS.labels(beyond_depth="false").inc()
            log.warning(
                "reorg: block %d changed; both chains agree up to block %d, fork at block %d: %d requests"
                " forgotten, %d answers to resend",
                checkpoint.block_number,
                agreed.block_number,
                fork,
                dropped,
                resent,
            )
        else:
            fork, dropped, resent = self._rewind_beyond_depth(checkpoint, recorded)
        fault_metrics.REORG_FORK_BLOCK.set(fork)
        return fork

    def _newest_agreed(self, blocks: list[Checkpoint]) -> Checkpoint | None:
        """The newest of `blocks` (newest first) still on the chain with the recorded hash."""
        return next((b for b in blocks if self._hash_of(b.block_number) == b.block_hash), None)

    def _rewind_beyond_depth(self, checkpoint: Checkpoint, recorded: list[Checkpoint]) -> tuple[int, int, int]:
        """No block hash kept for the last `reorg_depth` blocks is on the chain any more: the fork is older than
        the node tracks. The newest block both chains agree on is searched among the older blocks the store
        still knows (those holding requests, kept with their hashes), and everything after it is read again;
        with none, everything from the start block. Returns (fork block, requests forgotten, answers to resend)."""
        oldest = recorded[-1].block_number if recorded else checkpoint.block_number
        agreed = self._newest_agreed_request_block(before=oldest)
        fork = self._start_block if agreed is None else agreed.block_number + 1
        dropped, resent = self._store.rewind(fork, agreed)
        fault_metrics.REORGS.labels(beyond_depth="true").inc()
        log.error(
            "reorg deeper than REORG_DEPTH (%d blocks): none of the block hashes recorded from block %d to %d is on"
            " the chain any more. %s, so blocks from %d on are read again: %d requests forgotten, %d answers to"
            " resend. Raise ORACLE_REORG_DEPTH if forks this deep are expected on this chain.",
            self._reorg_depth,
            oldest,
            checkpoint.block_number,
            "No block this node knows is on both chains"
            if agreed is None
            else f"Both chains agree up to block {agreed.block_number} (the newest such block this node knows)",
            fork,
            dropped,
            resent,
        )
        return fork, dropped, resent

    def _newest_agreed_request_block(self, before: int) -> Checkpoint | None:
        """Binary search over the blocks below `before` that hold requests: those up to the fork still have their
        recorded hash and those after it do not, so one look per halving finds the newest shared one."""
        low, high = 0, self._store.request_block_count(before) - 1
        found = None
        while low <= high:
            middle = (low + high) // 2
            block = self._store.request_block(middle, before)
            if self._hash_of(block.block_number) == block.block_hash:
                found, low = block, middle + 1
            else:
                high = middle - 1
        return found

    def _hash_of(self, number: int) -> bytes | None:
        if number in self._known:
            return self._known[number]
        try:
            return bytes(self._w3.eth.get_block(number)["hash"])
        except BlockNotFound:  # past the head, e.g. after the chain was rolled back
            return None
