"""The node's pipeline: each tick moves every request as far as it can go, one persisted step at a time.

    listener   (chain -> seen)
    predict    (seen -> predicted: batch inference per model)
    sign       (predicted -> signed: EIP-712 observation)
    expire     (not yet sent and past its deadline -> expired)
    send       (signed -> sent: fulfillBatch transactions, while the tx manager has capacity)
    settle     (sent -> confirmed | failed | expired, or back to signed: receipts from the tx manager)

Every step reads its input from the store, so a restart after a crash at any point resumes where the
store says; the transaction journal commits together with the requests it carries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from web3 import Web3

from oracle.chain.abi import coordinator_abi
from oracle.chain.blocks import latest_block
from oracle.chain.codec import encode_call, event_topic
from oracle.chain.listener import RequestListener
from oracle.chain.reverts import RevertDecoder
from oracle.chain.signer import ObservationSigner
from oracle.chain.tx_manager import InFlightLimitReached, TransactionManager, TransactionRejected, TxOutcome
from oracle.ml.registry import ModelRegistry
from oracle.store.requests import RequestStore, State, StoredRequest
from oracle.types import Report

log = logging.getLogger(__name__)

FULFILLED_TOPIC = event_topic("PredictionFulfilled")
CANCELLED_TOPIC = event_topic("PredictionCancelled")
SKIPPED_TOPIC = event_topic("ReportSkipped")
_ERRORS = RevertDecoder(coordinator_abi())

# Gas of one report in fulfillBatch besides its callback (at most ~30k measured with k = 1, see
# benchmarks/results/gas.json) with room for calldata and k > 1; callbacks get gasLimit * 64/63 reserved.
REPORT_GAS = 60_000
BATCH_BASE_GAS = 40_000
MAX_SENDS = 3


@dataclass
class TickResult:
    head: int = 0
    seen: int = 0
    predicted: int = 0
    signed: int = 0
    expired: int = 0
    sent: int = 0
    settled: int = 0
    reorg_from: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.seen or self.predicted or self.signed or self.sent or self.settled)


class OracleNode:
    def __init__(
        self,
        w3: Web3,
        coordinator,
        store: RequestStore,
        registry: ModelRegistry,
        signer: ObservationSigner,
        listener: RequestListener,
        tx_manager: TransactionManager,
        *,
        max_batch: int = 50,
        deadline_margin: int = 5,
    ) -> None:
        self._w3 = w3
        self._coordinator = coordinator
        self._store = store
        self._registry = registry
        self._signer = signer
        self._listener = listener
        self._tx = tx_manager
        self._max_batch = max_batch
        self._deadline_margin = deadline_margin
        self._unservable: set[bytes] = set()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Re-broadcasts journalled transactions and settles any whose outcome the store has not recorded."""
        self._tx.recover()
        for request in self._store.in_state(State.SENT, limit=1_000_000):
            if request.tx_id is not None and (outcome := self._tx.outcome(request.tx_id)) is not None:
                self._apply(outcome)

    def run(self, stop: threading.Event, poll_interval: float) -> None:
        self.start()
        log.info("node running: signer %s, models %s", self._signer.address, sorted(self._registry.names))
        while not stop.is_set():
            try:
                result = self.tick()
            except Exception:
                log.exception("tick failed; retrying")
                stop.wait(poll_interval)
                continue
            if not result.busy:
                stop.wait(poll_interval)

    def tick(self) -> TickResult:
        head = latest_block(self._w3)
        result = TickResult(head=head["number"])
        listened = self._listener.poll(head_block=head)
        result.seen, result.reorg_from = listened.new_requests, listened.reorg_from
        result.predicted = self._predict()
        result.signed = self._sign()
        result.expired = self._expire(head["timestamp"])
        result.sent = self._send(head["gasLimit"])  # before settling: a new answer never waits on receipts
        result.settled = self._settle()
        return result

    # ------------------------------------------------------------------ steps
    def _predict(self) -> int:
        groups: dict[tuple[bytes, bytes], list[StoredRequest]] = defaultdict(list)
        for request in self._store.in_state(State.SEEN, limit=10_000):
            if request.request_id not in self._unservable:
                groups[(request.request.model_id, request.request.artifact_hash)].append(request)
        done = 0
        for (model_id, artifact_hash), requests in groups.items():
            model = self._registry.get(model_id, artifact_hash)
            if model is None:
                self._unservable.update(r.request_id for r in requests)
                log.error(
                    "%d requests for model 0x%s (artifact 0x%s…) that this node does not serve; they wait for "
                    "another node or their deadline",
                    len(requests),
                    model_id.hex(),
                    artifact_hash.hex()[:12],
                )
                continue
            started = time.perf_counter()
            predictions = model.predict([r.features for r in requests])
            per_request_ms = (time.perf_counter() - started) * 1000 / len(requests)
            self._store.mark_predicted(
                [(r.request_id, p.status, p.value) for r, p in zip(requests, predictions, strict=True)],
                inference_ms=per_request_ms,
            )
            done += len(requests)
        return done

    def _sign(self) -> int:
        requests = self._store.in_state(State.PREDICTED, limit=10_000)
        signed = [
            (r.request_id, self._signer.sign_observation(r.request_id, r.request, r.status, r.value)) for r in requests
        ]
        self._store.mark_signed(signed)
        return len(signed)

    def _expire(self, chain_time: int) -> int:
        due = self._store.due_to_expire(chain_time + self._deadline_margin)
        if due:
            self._store.mark_expired(due)
            log.warning("%d requests reached their deadline unanswered; the consumer may cancel them", len(due))
        return len(due)

    def _send(self, block_gas_limit: int) -> int:
        sent = 0
        budget = int(block_gas_limit * 0.8)
        while self._tx.capacity() > 0:
            batch, gas_limit = self._next_batch(budget)
            if not batch:
                break
            reports = [self._report(r) for r in batch]
            data = encode_call("fulfillBatch", [reports, [r.signatures for r in batch]])
            ids = [r.request_id for r in batch]
            try:
                tx_id = self._tx.submit(
                    self._coordinator.address,
                    data,
                    gas_limit=gas_limit,
                    on_journaled=lambda connection, tx_id, ids=ids: self._store.mark_sent(ids, tx_id, connection),
                )
            except TransactionRejected as rejection:
                log.warning("batch of %d rejected in simulation: %s; checking each report", len(batch), rejection)
                self._isolate(batch)
                continue
            except InFlightLimitReached:
                break
            log.info("sent %d answers in tx #%d", len(batch), tx_id)
            sent += len(batch)
        return sent

    def _next_batch(self, gas_budget: int) -> tuple[list[StoredRequest], int]:
        """The oldest signed answers that fit the budget, and a gas limit that covers them: every callback's
        limit plus what the exact-gas check keeps back, and a per-report allowance for verification and calldata.
        An upper bound instead of eth_estimateGas, whose binary search re-runs a whole batch a dozen times;
        unused gas is not paid for."""
        batch, gas = [], BATCH_BASE_GAS
        for request in self._store.in_state(State.SIGNED, limit=self._max_batch):
            need = REPORT_GAS + request.request.callback_gas_limit * 64 // 63
            if batch and gas + need > gas_budget:
                break
            batch.append(request)
            gas += need
        return batch, gas

    def _isolate(self, batch: Sequence[StoredRequest]) -> None:
        """Finds the reports the chain refuses on their own; they fail with the decoded reason, the rest stay signed."""
        refused = []
        for request in batch:
            data = encode_call("fulfill", [self._report(request), request.signatures])
            try:
                self._tx.simulate(self._coordinator.address, data)
            except TransactionRejected as rejection:
                reason = rejection.error_name or "reverted"
                if reason == "OracleCoordinatorRequestExpired":
                    self._store.mark_expired([request.request_id])
                else:
                    refused.append((request.request_id, str(rejection)))
        if refused:
            self._store.mark_failed(refused)
            log.error("%d answers refused by the coordinator: %s", len(refused), refused[0][1])

    @staticmethod
    def _report(request: StoredRequest) -> tuple:
        return Report(request.request_id, request.request, request.status, (request.value,)).as_abi()

    # ------------------------------------------------------------------ receipts
    def _settle(self) -> int:
        settled = 0
        for outcome in self._tx.poll():
            settled += self._apply(outcome)
        return settled

    def _apply(self, outcome: TxOutcome) -> int:
        requests = self._store.by_tx(outcome.tx_id)
        ids = {r.request_id for r in requests if r.state == State.SENT}
        if not ids:
            return 0
        if outcome.state != "mined":
            self._retry_or_fail(requests, f"transaction {outcome.state}")
            return 0
        fulfilled, skipped = self._read_receipt(outcome.receipt)
        self._store.mark_confirmed([rid for rid in fulfilled if rid in ids], outcome.block_number)
        sent = {r.request_id: r for r in requests if r.request_id in ids}
        for request_id, reason in skipped.items():
            if request_id in sent:
                self._settle_skipped(sent[request_id], reason, outcome.block_number)
        missing = [
            r for r in requests if r.request_id in ids and r.request_id not in fulfilled and r.request_id not in skipped
        ]
        if missing:
            self._retry_or_fail(missing, "answer missing from the receipt")
        return len(ids)

    def _read_receipt(self, receipt) -> tuple[set[bytes], dict[bytes, str]]:
        fulfilled, skipped = set(), {}
        for entry in receipt["logs"]:
            if entry["address"].lower() != self._coordinator.address.lower() or len(entry["topics"]) < 2:
                continue
            topic, request_id = bytes(entry["topics"][0]), bytes(entry["topics"][1])
            if topic == FULFILLED_TOPIC:
                fulfilled.add(request_id)
            elif topic == SKIPPED_TOPIC:
                reason = bytes(entry["data"])[:4]
                skipped[request_id] = _ERRORS.name(reason) or "0x" + reason.hex()
        return fulfilled, skipped

    def _settle_skipped(self, request: StoredRequest, reason: str, block_number: int) -> None:
        """The coordinator passed over our answer: find out whether someone else answered, or it was cancelled."""
        request_id = request.request_id
        if reason == "OracleCoordinatorRequestExpired":
            self._store.mark_expired([request_id])
            return
        answered = self._w3.eth.get_logs(
            {
                "address": self._coordinator.address,
                "topics": [["0x" + FULFILLED_TOPIC.hex(), "0x" + CANCELLED_TOPIC.hex()], "0x" + request_id.hex()],
                "fromBlock": request.block_number,
                "toBlock": block_number,
            }
        )
        if any(bytes(e["topics"][0]) == FULFILLED_TOPIC for e in answered):
            # answered before our transaction landed (another relayer, or an earlier send of ours)
            self._store.mark_confirmed([request_id], answered[-1]["blockNumber"])
        elif answered:
            self._store.mark_expired([request_id])
        else:
            self._store.mark_failed([(request_id, reason)], block_number)

    def _retry_or_fail(self, requests: Sequence[StoredRequest], reason: str) -> None:
        again = [r.request_id for r in requests if r.sends < MAX_SENDS]
        given_up = [(r.request_id, f"{reason} after {r.sends} sends") for r in requests if r.sends >= MAX_SENDS]
        self._store.back_to_signed(again, reason)
        self._store.mark_failed(given_up)
        log.warning("%s: %d answers to send again, %d given up", reason, len(again), len(given_up))
