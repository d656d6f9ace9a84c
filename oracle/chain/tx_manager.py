"""Sends the node's transactions: simulate, one nonce source, EIP-1559 fees, journal before broadcast, bump stuck ones.

The journal is the truth. A transaction and its signed bytes are committed before they are broadcast, and a
replacement is always the same nonce with higher fees, so a crash at any point neither loses a transaction nor
sends a second one for the same purpose at a new nonce: `recover()` rebroadcasts what the journal holds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionIndexingInProgress, TransactionNotFound, Web3RPCError
from web3.types import TxParams

from oracle.chain import fault_metrics
from oracle.chain.blocks import latest_block
from oracle.chain.evidence import Evidence
from oracle.chain.fees import MIN_REPLACEMENT_BUMP_PERCENT, cap_shortfall, initial_fees, replacement_fees
from oracle.chain.receipts import get_receipt
from oracle.chain.reverts import DecodedRevert, RevertDecoder, revert_data
from oracle.errors import OracleError
from oracle.store.transactions import JournaledTx, TransactionJournal, TxAttempt, TxState
from oracle.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

# Seconds a priority-fee suggestion is reused across new blocks (it is always reused within one block).
PRIORITY_FEE_TTL = 1.0
# Simulation and gas estimation see the effects of the node's own transactions still in flight.
SIMULATION_BLOCK: Final = "pending"
# Reads of the same evidence (a nonce used with no receipt, a nonce the chain lost) before the node acts on it.
EVIDENCE_READS = 3
# Key of the evidence that the chain's nonce is below the lowest pending transaction's, with nothing in between.
NONCE_GAP = "nonce gap"


class TxManagerError(OracleError, RuntimeError):
    """A transaction cannot be sent as asked."""


class TxSettingsError(OracleError, ValueError):
    """The transaction manager was configured with values it cannot work with."""


class InFlightLimitReached(TxManagerError):
    """`max_in_flight` transactions are already pending; poll until one is final, or check `capacity()` first."""


class TransactionRejected(TxManagerError):
    """The simulated call reverted, so nothing was signed or sent.

    `error_name` and `args` are the decoded custom error (or "Error" / "Panic"); they are None and () when the
    selector is not in the manager's error ABI. `selector` is the revert data's first 4 bytes (None when the
    revert carried no data), `data` the whole revert data, `to` the called address.
    """

    def __init__(self, to: str, revert: DecodedRevert) -> None:
        super().__init__()
        self.to = to
        self.selector = revert.selector
        self.error_name = revert.name
        self.args = revert.args  # the error's arguments, not the exception's constructor arguments
        self.data = revert.data

    def __reduce__(self) -> tuple[type[TransactionRejected], tuple[str, DecodedRevert]]:
        return TransactionRejected, (self.to, DecodedRevert(self.selector, self.error_name, self.args, self.data))

    def __str__(self) -> str:
        if self.error_name is not None:
            return f"call to {self.to} reverts with {self.error_name}({', '.join(map(repr, self.args))})"
        if self.selector is not None:
            return f"call to {self.to} reverts with unknown error 0x{self.selector.hex()} (data 0x{self.data.hex()})"
        return f"call to {self.to} reverts without data"


@dataclass(frozen=True)
class TxOutcome:
    tx_id: int
    state: TxState  # final: mined, reverted or dropped
    tx_hash: bytes | None  # the attempt that was mined, if any
    block_number: int | None
    gas_used: int | None
    effective_gas_price: int | None
    receipt: Any | None  # web3 receipt (with logs) for mined/reverted


class TransactionManager:
    """One account's transactions. Thread-safe: one thread may submit while another polls."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        journal: TransactionJournal,
        *,
        error_abi: list[dict[str, Any]],
        max_in_flight: int = 4,
        stuck_after_blocks: int = 3,
        fee_bump_percent: int = 25,
        max_fee_per_gas_cap: int | None = None,
        gas_multiplier: float = 1.2,
        drop_after_blocks: int = 2,
    ) -> None:
        if max_in_flight < 1:
            raise TxSettingsError(f"max_in_flight must be at least 1, got {max_in_flight}")
        if stuck_after_blocks < 1:
            raise TxSettingsError(f"stuck_after_blocks must be at least 1, got {stuck_after_blocks}")
        if fee_bump_percent < MIN_REPLACEMENT_BUMP_PERCENT:
            raise TxSettingsError(
                f"fee_bump_percent must be at least {MIN_REPLACEMENT_BUMP_PERCENT} (the pools' replacement rule),"
                f" got {fee_bump_percent}"
            )
        if max_fee_per_gas_cap is not None and max_fee_per_gas_cap <= 0:
            raise TxSettingsError(f"max_fee_per_gas_cap must be positive, got {max_fee_per_gas_cap}")
        if drop_after_blocks < 1:
            raise TxSettingsError(f"drop_after_blocks must be at least 1, got {drop_after_blocks}")
        if gas_multiplier < 1.0:
            raise TxSettingsError(f"gas_multiplier must be at least 1.0, got {gas_multiplier}")
        self._w3 = w3
        self._account = account
        self._sender = account.address
        self._journal = journal
        self._decoder = RevertDecoder(error_abi)
        self._max_in_flight = max_in_flight
        self._stuck_after_blocks = stuck_after_blocks
        self._fee_bump_percent = fee_bump_percent
        self._max_fee_cap = max_fee_per_gas_cap
        self._gas_multiplier = gas_multiplier
        self._chain_id = w3.eth.chain_id
        self._nonce_lock = threading.Lock()  # one nonce source: choosing, journaling and sending a new nonce
        self._poll_lock = threading.Lock()  # one poller: settling and replacing pending transactions
        self._fee_cache: tuple[bytes, int, float] | None = None  # (block hash, priority fee, when asked)
        # tx_id -> its nonce used with no receipt; NONCE_GAP -> the chain no longer has nonces below the pending
        self._evidence = Evidence(EVIDENCE_READS, drop_after_blocks)
        self._nonces_accounted: int | None = None  # every nonce below is the journal's, or history before start
        self._foreign_checked_block: int | None = None

    @property
    def address(self) -> str:
        return self._sender

    def in_flight(self) -> int:
        """Transactions journaled as pending (sent, not yet seen mined, reverted or dropped)."""
        return self._journal.pending_count(self._sender)

    def capacity(self) -> int:
        """How many more transactions `submit` accepts now."""
        return max(0, self._max_in_flight - self.in_flight())

    def simulate(self, to: str, data: bytes) -> None:
        """eth_call from the node's account; raises TransactionRejected with the decoded error if it reverts."""
        self._simulate({"from": self._sender, "to": to_checksum_address(to), "data": bytes(data)})

    def outcome(self, tx_id: int) -> TxOutcome | None:
        """The final outcome of a journalled transaction (with its receipt when mined or reverted), None while pending."""
        tx = self._journal.get(tx_id)
        if tx is None or tx.state == TxState.PENDING:
            return None
        receipt = None
        if tx.mined_hash is not None:
            try:
                receipt = get_receipt(self._w3, tx.mined_hash)
            except TransactionNotFound:
                receipt = None  # the block that held it is gone (reorg): the caller resends
        state = tx.state if receipt is not None or tx.state == TxState.DROPPED else TxState.DROPPED
        return TxOutcome(tx.tx_id, state, tx.mined_hash, tx.block_number, tx.gas_used, tx.effective_gas_price, receipt)

    def submit(
        self,
        to: str,
        data: bytes,
        *,
        gas_limit: int | None = None,
        link: Callable[[int, UnitOfWork], None] | None = None,
    ) -> int:
        """Simulates, signs, journals, then broadcasts a call; returns its tx_id.

        Idempotent while pending: a call with the same `to` and `data` as a pending transaction returns that
        transaction's id and sends nothing. A broadcast failure after journaling is logged, not raised: the
        transaction is in the journal and `poll` resends or replaces it.
        `link(tx_id, work)` writes what the transaction carries (its requests) through the journal's unit of work,
        so the two commit together (see TransactionJournal.record). Raises TransactionRejected when the
        simulation reverts, InFlightLimitReached when at the cap.
        """
        to = to_checksum_address(to)
        data = bytes(data)
        existing = self._journal.find_pending(self._sender, to, data)
        if existing is not None:
            return self._already_pending(existing)
        self._check_capacity()
        call: TxParams = {"from": self._sender, "to": to, "data": data}
        if gas_limit is not None:
            call["gas"] = gas_limit
        if gas_limit is None:
            gas_limit = self._estimate_gas(call)  # reverts, decoded, exactly as the simulation would
        else:
            self._simulate(call)
        with self._nonce_lock:
            existing = self._journal.find_pending(self._sender, to, data)
            if existing is not None:
                return self._already_pending(existing)
            self._check_capacity()
            block = latest_block(self._w3)
            chain_nonce = self._w3.eth.get_transaction_count(self._sender, "pending")
            journal_nonce = self._journal.highest_pending_nonce(self._sender)
            nonce = chain_nonce if journal_nonce is None else max(chain_nonce, journal_nonce + 1)
            max_fee, priority_fee = initial_fees(_base_fee(block), self._priority_fee(block), self._max_fee_cap)
            attempt = self._sign(nonce, to, data, gas_limit, max_fee, priority_fee, block["number"])
            tx_id = self._journal.record(self._sender, nonce, to, data, gas_limit, attempt, link)
            logger.info("tx %d journaled: nonce %d gas %d %s", tx_id, nonce, gas_limit, _described(attempt))
            self._send(tx_id, attempt)
        return tx_id

    def poll(self, head: Mapping[str, Any] | None = None) -> list[TxOutcome]:
        """Settles pending transactions from receipts and nonces, replaces stuck ones; returns those that became
        final. Once per new block it also looks for nonces of this key that the journal did not send.
        `head`: the latest block (number, hash, baseFeePerGas) when the caller has just read it."""
        with self._poll_lock:
            with self._nonce_lock:  # so every transaction listed here has been through its first broadcast
                pending = self._journal.pending(self._sender)
            self._evidence.keep_only([NONCE_GAP, *(tx.tx_id for tx in pending)])
            if not pending:
                if head is not None:
                    self._check_foreign_nonces(head["number"])
                return []
            # The nonce is read before any receipt: a nonce past a transaction whose attempts then show no
            # receipt means another transaction took that nonce.
            latest_nonce = self._w3.eth.get_transaction_count(self._sender, "latest")
            block = latest_block(self._w3) if head is None else head
            self._check_foreign_nonces(block["number"], latest_nonce)
            if self._nonces_lost(pending[0].nonce, latest_nonce, block["number"]):
                return self._abandon(pending, latest_nonce)
            outcomes = []
            for tx in pending:
                try:
                    outcome = self._settle(tx, latest_nonce, block["number"])
                except TransactionIndexingInProgress:
                    continue
                if outcome is not None:
                    outcomes.append(outcome)
                elif NONCE_GAP in self._evidence or tx.tx_id in self._evidence:
                    continue  # a nonce used or lost: replacing or resending cannot help while the evidence builds up
                elif block["number"] - tx.latest_attempt.sent_block >= self._stuck_after_blocks:
                    self._replace(tx, block)
                elif not self._known_to_node(tx.latest_attempt.tx_hash):
                    logger.info("tx %d: node does not hold 0x%s, resending", tx.tx_id, tx.latest_attempt.tx_hash.hex())
                    self._send(tx.tx_id, tx.latest_attempt)
            return outcomes

    def recover(self) -> None:
        """At start-up: rebroadcasts the latest attempt of every pending transaction in the journal."""
        with self._poll_lock:
            pending = self._journal.pending(self._sender)
            if not pending:
                return
            chain_nonce = self._w3.eth.get_transaction_count(self._sender, "pending")
            if pending[0].nonce > chain_nonce:
                # A pool would keep them waiting behind nonces the chain lost, and mine them whenever those are
                # used again: poll() abandons them once the gap is confirmed.
                logger.warning(
                    "not rebroadcasting %d pending transactions from nonce %d: the chain's next nonce is %d",
                    len(pending),
                    pending[0].nonce,
                    chain_nonce,
                )
                return
            for tx in pending:
                logger.info("tx %d: recovering nonce %d", tx.tx_id, tx.nonce)
                self._send(tx.tx_id, tx.latest_attempt, tolerate=Web3RPCError)

    def _already_pending(self, tx: JournaledTx) -> int:
        logger.info("tx %d already pending at nonce %d for this call; not sending another", tx.tx_id, tx.nonce)
        return tx.tx_id

    def _check_capacity(self) -> None:
        if self.in_flight() >= self._max_in_flight:
            raise InFlightLimitReached(f"{self._max_in_flight} transactions already in flight from {self._sender}")

    def _simulate(self, call: TxParams) -> None:
        try:
            self._w3.eth.call(call, SIMULATION_BLOCK)
        except ContractLogicError as error:
            raise TransactionRejected(str(call["to"]), self._decoder.decode(revert_data(error))) from None

    def _estimate_gas(self, call: TxParams) -> int:
        try:
            estimate = self._w3.eth.estimate_gas(call, SIMULATION_BLOCK)
        except ContractLogicError as error:
            raise TransactionRejected(str(call["to"]), self._decoder.decode(revert_data(error))) from None
        return math.ceil(estimate * self._gas_multiplier)

    def _sign(
        self, nonce: int, to: str, data: bytes, gas_limit: int, max_fee: int, priority_fee: int, block_number: int
    ) -> TxAttempt:
        signed = self._account.sign_transaction(
            {
                "type": 2,
                "chainId": self._chain_id,
                "nonce": nonce,
                "to": HexStr(to),
                "data": data,
                "value": 0,
                "gas": gas_limit,
                "maxFeePerGas": max_fee,
                "maxPriorityFeePerGas": priority_fee,
            }
        )
        return TxAttempt(bytes(signed.hash), bytes(signed.raw_transaction), max_fee, priority_fee, block_number)

    def _send(self, tx_id: int, attempt: TxAttempt, tolerate: type[Exception] = Exception) -> None:
        """Broadcasts a journaled attempt; a failure is logged, never raised (the journal keeps the attempt)."""
        try:
            self._broadcast(attempt.raw)
        except tolerate as error:
            logger.warning("tx %d: broadcast of 0x%s failed: %s", tx_id, attempt.tx_hash.hex(), error)
        else:
            logger.info("tx %d: broadcast 0x%s", tx_id, attempt.tx_hash.hex())

    def _broadcast(self, raw: bytes) -> None:
        self._w3.eth.send_raw_transaction(raw)

    def _known_to_node(self, tx_hash: bytes) -> bool:
        try:
            self._w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _settle(self, tx: JournaledTx, latest_nonce: int, block_number: int) -> TxOutcome | None:
        for attempt in reversed(tx.attempts):
            try:
                receipt = get_receipt(self._w3, attempt.tx_hash)
            except TransactionNotFound:
                continue
            if self._evidence.withdraw(tx.tx_id):
                fault_metrics.DROP_EVIDENCE_WITHDRAWN.inc()
                logger.info("tx %d: the receipt appeared after its nonce was seen used; not dropped", tx.tx_id)
            state = TxState.MINED if receipt["status"] == 1 else TxState.REVERTED
            block_number = int(receipt["blockNumber"])
            gas_used = int(receipt["gasUsed"])
            price = int(receipt.get("effectiveGasPrice") or attempt.max_fee_per_gas)
            mark = self._journal.mark_mined if state == TxState.MINED else self._journal.mark_reverted
            mark(tx.tx_id, attempt.tx_hash, block_number, gas_used, price)
            log = logger.info if state == TxState.MINED else logger.warning
            log(
                "tx %d %s at nonce %d: 0x%s block %d gas %d price %d",
                tx.tx_id,
                state,
                tx.nonce,
                attempt.tx_hash.hex(),
                block_number,
                gas_used,
                price,
            )
            return TxOutcome(tx.tx_id, state, attempt.tx_hash, block_number, gas_used, price, receipt)
        if latest_nonce <= tx.nonce:
            self._evidence.withdraw(tx.tx_id)  # the nonce is free again (a reorg): no evidence left
            return None
        evidence = self._evidence.observe(tx.tx_id, block_number)
        if evidence is None:
            return None
        self._journal.mark_dropped(tx.tx_id)
        fault_metrics.TX_DROPPED.inc()
        logger.warning(
            "tx %d dropped: nonce %d was used by a transaction not in its attempts (no receipt for any of them over"
            " %d reads, blocks %d..%d)",
            tx.tx_id,
            tx.nonce,
            evidence.reads,
            evidence.since_block,
            block_number,
        )
        self._report_foreign(tx.nonce, tx.nonce)  # every transaction this node signs at a nonce is an attempt
        return TxOutcome(tx.tx_id, TxState.DROPPED, None, None, None, None, None)

    def _check_foreign_nonces(self, block_number: int, latest_nonce: int | None = None) -> None:
        """Another process sending with this key shows as nonces the journal never had: the account's nonce (mined,
        or with its pool) past the journal's highest. History from before the first look is not counted; every
        nonce found is reported once, loudly. The chain is read before the journal, so a transaction journalled
        and broadcast in between is never taken for another sender's."""
        if block_number == self._foreign_checked_block:
            return
        self._foreign_checked_block = block_number
        if latest_nonce is None:
            latest_nonce = self._w3.eth.get_transaction_count(self._sender, "latest")
        chain_next = max(latest_nonce, self._w3.eth.get_transaction_count(self._sender, "pending"))
        highest = self._journal.highest_nonce(self._sender)
        if self._nonces_accounted is None:
            self._nonces_accounted = latest_nonce
        accounted = max(self._nonces_accounted, -1 if highest is None else highest + 1)
        if chain_next > accounted:
            self._report_foreign(accounted, chain_next - 1)
        self._nonces_accounted = max(accounted, chain_next)

    def _report_foreign(self, first: int, last: int) -> None:
        fault_metrics.FOREIGN_NONCES.inc(last - first + 1)
        logger.error(
            "ANOTHER SENDER IS USING THIS NODE'S KEY %s: nonce(s) %d..%d were used (mined or in the pool) by"
            " transactions this node did not send. Two processes with one key send every answer twice and take"
            " each other's nonces: stop the other one (see the README's runbook).",
            self._sender,
            first,
            last,
        )

    def _nonces_lost(self, lowest_pending: int, latest_nonce: int, block_number: int) -> bool:
        """True once the chain has, over several reads and blocks, lacked a nonce below the lowest pending
        transaction with nothing in its pool to fill it: a chain reset (or a rewind that lost the transactions
        there). The pending ones can then never be mined. Costs an RPC call only while mined nonces lag."""
        if latest_nonce >= lowest_pending:
            self._evidence.withdraw(NONCE_GAP)
            return False
        if self._w3.eth.get_transaction_count(self._sender, "pending") >= lowest_pending:
            self._evidence.withdraw(NONCE_GAP)  # the pool holds transactions up to ours: they wait their turn
            return False
        return self._evidence.observe(NONCE_GAP, block_number) is not None

    def _abandon(self, pending: list[JournaledTx], latest_nonce: int) -> list[TxOutcome]:
        """Gives up every pending transaction: each becomes dropped, so what it carried is sent again at new nonces."""
        logger.error(
            "the chain has no transaction of %s at nonces %d..%d below this node's pending ones (a chain reset or a"
            " rewind lost them): abandoning %d pending transactions at nonces %s; what they carried is sent again",
            self._sender,
            latest_nonce,
            pending[0].nonce - 1,
            len(pending),
            ", ".join(str(tx.nonce) for tx in pending),
        )
        outcomes = []
        for tx in pending:
            self._journal.mark_dropped(tx.tx_id)
            self._evidence.withdraw(tx.tx_id)
            outcomes.append(TxOutcome(tx.tx_id, TxState.DROPPED, None, None, None, None, None))
        fault_metrics.TX_ABANDONED.inc(len(outcomes))
        return outcomes

    def _replace(self, tx: JournaledTx, block: Mapping[str, Any]) -> None:
        """Signs the same call at the same nonce with higher fees, journals it, then broadcasts it.

        An attempt a pool still holds must be outbid by `fee_bump_percent`; one no pool holds any more (evicted,
        or never accepted) is only re-priced to today's fees, so a rejection for another reason (such as a low
        balance) does not ratchet the fees up with every block.
        """
        old = tx.latest_attempt
        held = self._known_to_node(old.tx_hash)
        fees = replacement_fees(
            old.max_fee_per_gas,
            old.max_priority_fee_per_gas,
            _base_fee(block),
            self._priority_fee(block),
            self._fee_bump_percent if held else 0,
            self._max_fee_cap,
        )
        if fees is None:
            if held:
                logger.warning(
                    "tx %d stuck at nonce %d; the fee cap leaves no room to outbid %s",
                    tx.tx_id,
                    tx.nonce,
                    _described(old),
                )
            else:
                shortfall = cap_shortfall(_base_fee(block), self._priority_fee(block), self._max_fee_cap)
                logger.warning(
                    "tx %d stuck at nonce %d; the node does not hold %s and %s: resending it as it is",
                    tx.tx_id,
                    tx.nonce,
                    _described(old),
                    shortfall or "today's fee is no higher than its own",
                )
                self._send(tx.tx_id, old)
            return
        attempt = self._sign(tx.nonce, tx.to, tx.data, tx.gas_limit, *fees, block["number"])
        attempt = self._journal.add_attempt(tx.tx_id, attempt)
        logger.info(
            "tx %d replaced at nonce %d by attempt %d: %s", tx.tx_id, tx.nonce, attempt.attempt, _described(attempt)
        )
        self._send(tx.tx_id, attempt)

    def _priority_fee(self, block: Mapping[str, Any]) -> int:
        """eth_maxPriorityFeePerGas, reused within a block and for PRIORITY_FEE_TTL seconds across blocks: the
        suggestion moves slowly, and on a fast local chain every transaction makes a new block."""
        now = time.monotonic()
        if self._fee_cache is None or (
            self._fee_cache[0] != block["hash"] and now - self._fee_cache[2] >= PRIORITY_FEE_TTL
        ):
            self._fee_cache = (block["hash"], int(self._w3.eth.max_priority_fee), now)
        return self._fee_cache[1]


def _base_fee(block: Mapping[str, Any]) -> int:
    return int(block.get("baseFeePerGas", 0))


def _described(attempt: TxAttempt) -> str:
    """What the logs say about an attempt: its hash and fees (never its signed bytes)."""
    return (
        f"0x{attempt.tx_hash.hex()} maxFeePerGas {attempt.max_fee_per_gas}"
        f" maxPriorityFeePerGas {attempt.max_priority_fee_per_gas}"
    )
