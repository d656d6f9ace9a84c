"""The node's pipeline: each tick moves every request as far as it can go, one persisted step at a time.

    listener         (chain -> seen)
    predict_seen     (seen -> predicted: batch inference per model)
    sign_predicted   (predicted -> signed: EIP-712 observation, kept and sent to the peers)
    expire_overdue   (not yet sent and past its deadline -> expired)
    send_ready       (signed -> sent: once k observations agree and this node's turn to transmit has come,
                      fulfillBatch transactions, while the tx manager has capacity)
    settle_sent      (sent -> confirmed | failed | expired, or back to signed: receipts from the tx manager)

Every step reads its input from the store, so a restart after a crash at any point resumes where the
store says; the transaction journal commits together with the requests it carries. Observations of the
other signers arrive through the API (POST /v1/observations) into the same store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from web3 import Web3

from oracle.chain import fault_metrics
from oracle.chain.blocks import latest_block
from oracle.chain.coordinator import REQUEST_EXPIRED, Coordinator
from oracle.chain.listener import RequestListener
from oracle.chain.pricing import AnswerPricing
from oracle.chain.signer import ObservationSigner
from oracle.chain.tx_manager import InFlightLimitReached, TransactionManager, TransactionRejected, TxOutcome
from oracle.ml.registry import ModelRegistry
from oracle.network.aggregation import Quorum, quorum
from oracle.network.observation import Observation
from oracle.network.outbox import PeerOutbox
from oracle.network.signers import Membership
from oracle.network.transmission import TransmitSchedule
from oracle.node_metrics import REPORTS_SKIPPED
from oracle.privacy.inputs import InputResolver
from oracle.store.database import StoreError
from oracle.store.observations import ObservationStore
from oracle.store.requests import RequestStore, State, StoredRequest
from oracle.store.transactions import TxState
from oracle.tick_backoff import TickBackoff
from oracle.types import Report, Status

log = logging.getLogger(__name__)


# Gas of one report in fulfillBatch besides its callback (at most ~30k measured with k = 1, see
# benchmarks/results/gas.json) with room for calldata and k > 1; callbacks get gasLimit * 64/63 reserved.
REPORT_GAS = 60_000
BATCH_BASE_GAS = 40_000
MAX_SENDS = 3
# Signed requests looked at per tick when choosing what to send: some may still wait for a quorum or their turn.
SEND_WINDOW = 2_000
# A late transmitter that found a request no longer pending looks again after this long (a reorg may revive it).
RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Network:
    """How this node takes part in a k-of-n network. Alone (no peers), its own observation is the report
    and it transmits at once."""

    observations: ObservationStore
    membership: Callable[[], Membership]  # the coordinator's signers and threshold, cached
    outbox: PeerOutbox | None = None
    schedule: TransmitSchedule | None = None
    pending: Callable[[Sequence[bytes]], set[bytes]] | None = None  # ids still pending on chain


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
        coordinator: Coordinator,
        store: RequestStore,
        registry: ModelRegistry,
        signer: ObservationSigner,
        listener: RequestListener,
        tx_manager: TransactionManager,
        network: Network,
        inputs: InputResolver,
        *,
        max_batch: int = 50,
        deadline_margin: int = 5,
        housekeeping: Callable[[], object] | None = None,  # after each tick (retention: oracle/store/housekeeping.py)
        pricing: AnswerPricing | None = None,
    ) -> None:
        self._w3 = w3
        self._coordinator = coordinator
        self._store = store
        self._registry = registry
        self._signer = signer
        self._listener = listener
        self._tx = tx_manager
        self._network = network
        self._inputs = inputs
        self._wake = threading.Event()
        self._started_at = time.time()
        self._recheck_after: dict[bytes, float] = {}  # found not pending on chain: look again only after this
        self._max_batch = max_batch
        self._deadline_margin = deadline_margin
        self._housekeeping = housekeeping
        self._unservable: set[bytes] = set()
        self._block_gas_limit = 0  # of the head the last tick saw
        self._pricing = pricing  # None: answer whatever a request pays

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Re-broadcasts journalled transactions, settles any whose outcome the store has not recorded, and
        sends the peers this node's observations of open requests again (they may have missed them)."""
        self._started_at = time.time()
        self._tx.recover()
        self._apply_journalled()
        if self._network.outbox is not None:
            self._network.outbox.start()
            open_requests = self._store.in_state(State.SIGNED, limit=1_000_000)
            self._network.outbox.send(
                self._own_observation(r, r.signatures[:64]) for r in open_requests if r.signatures is not None
            )

    def stop(self) -> None:
        if self._network.outbox is not None:
            self._network.outbox.stop()

    def wake(self) -> None:
        """Runs the next tick now (new observations arrived) instead of after the poll interval."""
        self._wake.set()

    def run(self, stop: threading.Event, poll_interval: float) -> None:
        self.start()
        log.info("node running: signer %s, models %s", self._signer.address, sorted(self._registry.names))
        backoff = TickBackoff(poll_interval)
        try:
            while not stop.is_set():
                try:
                    result = self.tick()
                    backoff.succeeded()
                    if self._housekeeping is not None:
                        self._housekeeping()
                    if not result.busy and self._idle(poll_interval) and self._block_gas_limit:
                        # peers' observations arrived: a quorum may be complete, and sending it need not wait
                        # for the chain head, the listener and the other steps of a tick (the next tick runs next)
                        self.send_ready(self._block_gas_limit)
                except Exception as error:
                    stop.wait(backoff.failed(error))
        finally:
            self.stop()

    def _idle(self, poll_interval: float) -> bool:
        """Waits up to `poll_interval`; True when woken by new observations."""
        woken = self._wake.wait(poll_interval)
        self._wake.clear()
        return woken

    def tick(self) -> TickResult:
        head = latest_block(self._w3)
        self._block_gas_limit = head["gasLimit"]
        result = TickResult(head=head["number"])
        listened = self._listener.poll(head_block=head)
        result.seen, result.reorg_from = listened.new_requests, listened.reorg_from
        result.predicted = self.predict_seen()
        result.signed = self.sign_predicted()
        result.expired = self.expire_overdue(head["timestamp"])
        result.sent = self.send_ready(head["gasLimit"])  # before settling: a new answer never waits on receipts
        result.settled = self.settle_sent(head)
        return result

    # ------------------------------------------------------------------ steps: each returns how many requests moved
    def predict_seen(self) -> int:
        """Seen requests (those that pay for their answer, of a model this node serves) -> predicted, one batch
        per model; a refused input is answered INVALID_INPUT with its reason kept."""
        groups: dict[tuple[bytes, bytes], list[StoredRequest]] = defaultdict(list)
        seen = [r for r in self._store.in_state(State.SEEN, limit=10_000) if r.request_id not in self._unservable]
        # A request whose fee does not pay for its answer at today's gas price stays seen: it expires unanswered.
        for request in seen if self._pricing is None else self._pricing.affordable(seen):
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
            resolved = [self._inputs.resolve(r.request, r.features, r.private) for r in requests]
            usable = [(r, i.features) for r, i in zip(requests, resolved, strict=True) if i.features is not None]
            reasons = {r.request_id: i.reason for r, i in zip(requests, resolved, strict=True) if i.reason}
            started = time.perf_counter()
            predictions = model.predict([features for _, features in usable]) if usable else []
            per_request_ms = (time.perf_counter() - started) * 1000 / max(1, len(usable))
            results = [(r.request_id, p.status, p.value) for (r, _), p in zip(usable, predictions, strict=True)]
            results += [(request_id, Status.INVALID_INPUT, 0) for request_id in reasons]
            self._store.mark_predicted(results, inference_ms=per_request_ms, reasons=reasons)
            if reasons:
                log.warning("%d requests refused as INVALID_INPUT: %s", len(reasons), next(iter(reasons.values())))
            done += len(requests)
        return done

    def sign_predicted(self) -> int:
        """Predicted requests -> signed. Signs, hands the observation to the outbox, and keeps it with the peers'
        (before the move, so a signed request always has it). The peers get it first: their quorum waits on it,
        not on this node's writes, and an observation sent but not kept (a crash between) is signed again,
        identical, on restart."""
        requests = self._store.in_state(State.PREDICTED, limit=10_000)
        if not requests:
            return 0
        signed = [(r.request_id, self._signer.sign_observation(r.request_id, r.request, *_answer(r))) for r in requests]
        own = [self._own_observation(r, signature) for r, (_, signature) in zip(requests, signed, strict=True)]
        if self._network.outbox is not None:
            self._network.outbox.send(own)
        self._network.observations.add(own)
        self._store.mark_signed(signed)
        return len(signed)

    def _own_observation(self, request: StoredRequest, signature: bytes) -> Observation:
        return Observation.of(request.request_id, request.request, *_answer(request), self._signer.address, signature)

    def expire_overdue(self, chain_time: int) -> int:
        """Requests not yet sent whose deadline is within `deadline_margin` seconds of `chain_time` -> expired."""
        due = self._store.due_to_expire(chain_time + self._deadline_margin)
        if due:
            self._store.mark_expired(due)
            log.warning("%d requests reached their deadline unanswered; the consumer may cancel them", len(due))
        return len(due)

    def send_ready(self, block_gas_limit: int) -> int:
        """Signed requests with a quorum whose turn to transmit has come -> sent, in fulfillBatch transactions of
        at most 80% of `block_gas_limit`, while the transaction manager has capacity; a batch the coordinator
        refuses in simulation is checked report by report."""
        sent = 0
        budget = int(block_gas_limit * 0.8)
        while self._tx.capacity() > 0:
            batch, gas_limit = self._next_batch(budget)
            if not batch:
                break
            reports = [self._report(r, q) for r, q in batch]
            data = self._coordinator.fulfill_batch_calldata(reports, [q.signatures for _, q in batch])
            ids = [r.request_id for r, _ in batch]
            try:
                tx_id = self._tx.submit(
                    self._coordinator.address, data, gas_limit=gas_limit, link=partial(self._store.mark_sent, ids)
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

    def _next_batch(self, gas_budget: int) -> tuple[list[tuple[StoredRequest, Quorum]], int]:
        """The oldest signed answers with a quorum, whose turn to be sent by this node has come, that fit the
        budget; and a gas limit that covers them: every callback's limit plus what the exact-gas check keeps
        back, and a per-report allowance for verification and calldata. An upper bound instead of
        eth_estimateGas, whose binary search re-runs a whole batch a dozen times; unused gas is not paid for."""
        batch: list[tuple[StoredRequest, Quorum]] = []
        gas = BATCH_BASE_GAS
        for request, agreed in self._ready(self._max_batch):
            need = REPORT_GAS + request.request.callback_gas_limit * 64 // 63
            if batch and gas + need > gas_budget:
                break
            batch.append((request, agreed))
            gas += need
            if len(batch) == self._max_batch:
                break
        return batch, gas

    def _ready(self, limit: int) -> list[tuple[StoredRequest, Quorum]]:
        """Up to `limit` of the oldest requests that have k agreeing observations and are this node's to send
        now (the first transmitter at once, the others after their stagger), each still pending on chain. The
        store counts the agreeing observations, and only the requests due now are read and their quorums
        built: every tick looks at the whole window, most of it still waiting for peers or for another
        transmitter."""
        membership = self._network.membership()
        signers, threshold = membership.signers, membership.threshold
        candidates = self._network.observations.quorate_signed(threshold, signers, SEND_WINDOW)
        schedule, now = self._network.schedule, time.time()
        self._recheck_after = {rid: self._recheck_after[rid] for rid, _ in candidates if rid in self._recheck_after}
        due, turn_come = set(), []
        for request_id, seen_at in candidates:
            if schedule is None:
                due.add(request_id)
                continue
            # After a restart every transmitter's wait starts again, so that the first one gets its turn.
            since = max(seen_at, self._started_at)
            if now < schedule.due_at(request_id, signers, since):
                continue
            # Every transmitter, the first included, sends only what the chain still has pending: another node
            # may have sent while this one was down, or started later than the others after a common outage.
            if now >= self._recheck_after.get(request_id, 0.0):
                turn_come.append(request_id)
        if turn_come and self._network.pending is not None:
            still = self._network.pending(turn_come)
            for request_id in turn_come:
                if request_id in still:
                    due.add(request_id)
                else:  # answered or cancelled: the listener records which once the block is confirmed
                    self._recheck_after[request_id] = now + RECHECK_SECONDS
        else:
            due.update(turn_come)
        ordered = [rid for rid, _ in candidates if rid in due]  # oldest first, as the store listed them
        ready: list[tuple[StoredRequest, Quorum]] = []
        own = self._signer.address
        for start in range(0, len(ordered), limit):
            chunk = ordered[start : start + limit]
            found = self._network.observations.for_requests(chunk)
            stored = self._store.get_many(chunk)
            for request_id in chunk:
                request = stored.get(request_id)
                if request is None or request.state != State.SIGNED:
                    continue
                agreed = quorum(request.request, found.get(request_id, ()), threshold, signers, own)
                if agreed is not None:
                    ready.append((request, agreed))
            if len(ready) >= limit:
                break
        return ready[:limit]

    def _isolate(self, batch: Sequence[tuple[StoredRequest, Quorum]]) -> None:
        """Finds the reports the chain refuses on their own; they fail with the decoded reason, the rest stay signed."""
        refused = []
        for request, agreed in batch:
            data = self._coordinator.fulfill_calldata(self._report(request, agreed), agreed.signatures)
            try:
                self._tx.simulate(self._coordinator.address, data)
            except TransactionRejected as rejection:
                reason = rejection.error_name or "reverted"
                if reason == REQUEST_EXPIRED:
                    self._store.mark_expired([request.request_id])
                else:
                    refused.append((request.request_id, str(rejection)))
        if refused:
            self._store.mark_failed(refused)
            log.error("%d answers refused by the coordinator: %s", len(refused), refused[0][1])

    @staticmethod
    def _report(request: StoredRequest, agreed: Quorum) -> tuple[Any, ...]:
        return Report(request.request_id, request.request, agreed.status, agreed.values).as_abi()

    # ------------------------------------------------------------------ receipts
    def settle_sent(self, head: Mapping[str, Any] | None = None) -> int:
        """Sent requests -> confirmed, failed or expired from their transaction's outcome, or back to signed to
        be sent again. `head`: the latest block, when the caller has just read it."""
        settled = self._apply_journalled()
        for outcome in self._tx.poll(head):
            settled += self._apply(outcome)
        return settled

    def _apply_journalled(self) -> int:
        """Hands the requests still `sent` the outcome the journal already holds for their transaction: a failure
        after the journal recorded it (a receipt read for the next transaction, a crash) must not strand them."""
        settled = 0
        for tx_id in self._store.sent_on_final_transactions():
            outcome = self._tx.outcome(tx_id)
            if outcome is not None:
                log.info("tx %d: applying its journalled outcome (%s) to its requests", tx_id, outcome.state)
                fault_metrics.OUTCOMES_REAPPLIED.inc()
                settled += self._apply(outcome)
        return settled

    def _apply(self, outcome: TxOutcome) -> int:
        requests = self._store.by_tx(outcome.tx_id)
        ids = {r.request_id for r in requests if r.state == State.SENT}
        if not ids:
            return 0
        if outcome.state != TxState.MINED or outcome.receipt is None or outcome.block_number is None:
            self._retry_or_fail(requests, f"transaction {outcome.state}")
            return 0
        receipt = self._coordinator.receipt_outcome(outcome.receipt)
        fulfilled, skipped = receipt.fulfilled, receipt.skipped
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

    def _settle_skipped(self, request: StoredRequest, reason: str, block_number: int) -> None:
        """The coordinator passed over our answer: find out whether someone else answered, or it was cancelled."""
        request_id = request.request_id
        REPORTS_SKIPPED.labels(reason).inc()
        if reason == REQUEST_EXPIRED:
            self._store.mark_expired([request_id])
            return
        answer = self._coordinator.answer(request_id, request.block_number, block_number)
        if answer is None:
            self._store.mark_failed([(request_id, reason)], block_number)
        elif answer.kind == "fulfilled":
            # answered before our transaction landed (another transmitter, or an earlier send of ours)
            self._store.mark_confirmed([request_id], answer.block_number)
        else:
            self._store.mark_expired([request_id])

    def _retry_or_fail(self, requests: Sequence[StoredRequest], reason: str) -> None:
        again = [r.request_id for r in requests if r.sends < MAX_SENDS]
        given_up = [(r.request_id, f"{reason} after {r.sends} sends") for r in requests if r.sends >= MAX_SENDS]
        self._store.back_to_signed(again, reason)
        self._store.mark_failed(given_up)
        log.warning("%s: %d answers to send again, %d given up", reason, len(again), len(given_up))


def _answer(request: StoredRequest) -> tuple[Status, int]:
    """The status and value of a predicted (or later) request: the store sets both with the move to predicted."""
    if request.status is None or request.value is None:
        raise StoreError(f"request 0x{request.request_id.hex()} is {request.state} without a prediction")
    return request.status, request.value
