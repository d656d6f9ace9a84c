"""What the node and network benchmarks share: a coordinator and consumer deployed on brownie's anvil,
requests sent one at a time (latency) or as a backlog from separate processes (throughput), and the tally
of what the chain answered, read from its events."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from brownie import accounts, network
from eth_account import Account
from eth_utils import keccak

from oracle.chain.coordinator import Coordinator
from oracle.ml.model import LoadedModel
from oracle.ml.model_directory import ModelDirectory
from oracle.types import model_id

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models" / "credit-risk"
FEE_WEI = 10**15
CALLBACK_GAS = 150_000
WARM_UP = 10  # first latency samples dropped: they warm the nodes' caches and journals
SENDERS = 2
UNKNOWN_REQUEST = "OracleCoordinatorUnknownRequest"


def held_out_features(model: LoadedModel) -> list[list[int]]:
    return ModelDirectory(MODEL_DIR).held_out_features(model.schema.feature_names)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 2)


def _send_requests(rpc_url: str, consumer: str, abi: list, sender: str, rows: list, deadline: int, queue) -> None:
    """A load generator in its own process: sends every request without waiting, then waits for the receipts."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(rpc_url))
    contract = w3.eth.contract(address=consumer, abi=abi)
    hashes = [
        contract.functions.request(model_id("credit-risk"), features, deadline, CALLBACK_GAS).transact(
            {"from": sender, "value": FEE_WEI, "gas": 300_000}
        )
        for features in rows
    ]
    blocks = [w3.eth.wait_for_transaction_receipt(h)["blockNumber"] for h in hashes]
    queue.put(blocks)


class ChainBench:
    """A coordinator with `signer_keys` as its signers and `threshold`, the credit-risk model registered, and
    a ConsumerMock that requests from it; every signer funded to send transactions."""

    def __init__(self, contracts, signer_keys: list[bytes], threshold: int) -> None:
        owner = accounts[0]
        self.model = LoadedModel.from_dir(MODEL_DIR)
        self.rows = held_out_features(self.model)
        signers = [Account.from_key(key).address for key in signer_keys]
        with contextlib.redirect_stdout(io.StringIO()):
            self.coordinator = contracts.OracleCoordinator.deploy(owner, signers, threshold, {"from": owner})
            self.coordinator.registerModel(
                model_id("credit-risk"),
                self.model.artifact_hash,
                self.model.schema_hash,
                (FEE_WEI, 0, 2_500_000),
                {"from": owner},
            )
            self.consumer = contracts.ConsumerMock.deploy(self.coordinator, {"from": owner})
            for signer in signers:
                owner.transfer(signer, "1000 ether")
        self.w3 = network.web3
        self.rpc_url = self.w3.provider.endpoint_uri
        self.consumer_web3 = self.w3.eth.contract(address=self.consumer.address, abi=self.consumer.abi)
        self.coordinator_view = Coordinator(self.w3, self.coordinator.address)
        self._answers_selector = "0x" + keccak(text="answers()")[:4].hex()

    def deadline(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"] + 3_600

    def fulfilled_count(self) -> int:
        return self.consumer_web3.functions.answers().call()

    def _raw(self, method: str, params: list):
        """A JSON-RPC call without web3's result formatters: the measuring loop should cost the chain and the
        nodes (which share this machine's two cores) as little as possible."""
        return self.w3.provider.make_request(method, params)["result"]

    def _answers_raw(self) -> int:
        return int(self._raw("eth_call", [{"to": self.consumer.address, "data": self._answers_selector}, "latest"]), 16)

    def latency(self, samples: int) -> tuple[list[float], int]:
        """Milliseconds from each request's receipt to its answer visible on chain, one request at a time,
        polled every 0.5 ms; and the first block of the measured samples."""
        measured, first_block = [], 0
        sender = accounts[1].address
        for i in range(samples + WARM_UP):
            before = self._answers_raw()
            tx = self.consumer_web3.functions.request(
                model_id("credit-risk"), self.rows[i % len(self.rows)], self.deadline(), CALLBACK_GAS
            ).transact({"from": sender, "value": FEE_WEI, "gas": 300_000})
            while (receipt := self._raw("eth_getTransactionReceipt", ["0x" + bytes(tx).hex()])) is None:
                time.sleep(0.0005)
            mined = time.perf_counter()
            while self._answers_raw() == before:
                time.sleep(0.0005)
            if i >= WARM_UP:
                measured.append((time.perf_counter() - mined) * 1000)
            elif i == WARM_UP - 1:
                first_block = int(receipt["blockNumber"], 16) + 1
        return measured, first_block

    def throughput(
        self,
        requests: int,
        pause: Callable[[], None],
        resume: Callable[[], float],
        check: Callable[[], None] = lambda: None,
        timeout: float = 600,
    ) -> dict:
        """A backlog of `requests` requests, mined between `pause()` and `resume()` (which returns the moment
        the nodes take up work again), then drained: predictions per second until the consumer has them all.
        `check()` raises when the nodes cannot finish (one exited)."""
        pause()
        start_count = self.fulfilled_count()
        start_block = self.w3.eth.block_number + 1
        deadline = self.deadline()
        queue = multiprocessing.Queue()
        per_sender = requests // SENDERS
        senders = [
            multiprocessing.Process(
                target=_send_requests,
                args=(
                    self.rpc_url,
                    self.consumer.address,
                    self.consumer.abi,
                    accounts[2 + s].address,
                    [self.rows[(s * per_sender + i) % len(self.rows)] for i in range(per_sender)],
                    deadline,
                    queue,
                ),
            )
            for s in range(SENDERS)
        ]
        for process in senders:
            process.start()
        for process in senders:
            process.join()
        started = resume()
        while self.fulfilled_count() - start_count < per_sender * SENDERS:
            time.sleep(0.005)
            check()
            if time.perf_counter() - started > timeout:
                break
        finished = time.perf_counter()
        tally = self.tally(start_block)
        return {
            **tally,
            "seconds": round(finished - started, 3),
            "predictions_per_second": round(tally["fulfilled"] / (finished - started), 1),
        }

    def tally(self, start_block: int) -> dict:
        """From the chain's events since `start_block`: requests, answered, never answered (lost), answered
        more than once (duplicated: the coordinator refuses a second answer, so this should stay 0), reports
        skipped by reason, and fulfilment transactions."""
        requested = self.coordinator_view.requests(start_block)
        fulfilled = [a for a in self.coordinator_view.answers(start_block) if a.kind == "fulfilled"]
        answered = Counter(a.request_id for a in fulfilled)
        skipped = self.coordinator_view.skipped_reports(start_block)
        request_ids = [e.request_id for e in requested]
        fulfil_txs = {a.tx_hash for a in fulfilled}
        return {
            "requests": len(request_ids),
            "fulfilled": sum(1 for i in request_ids if answered[i]),
            "lost": sum(1 for i in request_ids if not answered[i]),
            "duplicated_answers": sum(n - 1 for n in answered.values() if n > 1),
            "skipped_reports": dict(Counter(s.reason for s in skipped)),
            "blocks_from_first_request_to_last_fulfilment": max(a.block_number for a in fulfilled)
            - min(e.block_number for e in requested)
            + 1
            if fulfilled and requested
            else 0,
            "fulfil_transactions": len(fulfil_txs),
            "mean_reports_per_fulfil_transaction": round(len(fulfilled) / max(len(fulfil_txs), 1), 1),
        }

    def fulfil_gas(self, start_block: int, end_block: int | str = "latest") -> dict[int, list[int]]:
        """gasUsed of each fulfilment transaction in the range, divided by the reports it carried (fulfilled or
        skipped), grouped by that number of reports."""
        reports: Counter[bytes] = Counter(
            a.tx_hash for a in self.coordinator_view.answers(start_block, end_block) if a.kind == "fulfilled"
        )
        reports.update(s.tx_hash for s in self.coordinator_view.skipped_reports(start_block, end_block))
        per_report: dict[int, list[int]] = {}
        for tx_hash, count in reports.items():
            receipt = self._raw("eth_getTransactionReceipt", ["0x" + tx_hash.hex()])
            per_report.setdefault(count, []).append(int(receipt["gasUsed"], 16) // count)
        return dict(sorted(per_report.items()))


def gas_summary(per_report: dict[int, list[int]]) -> dict:
    """Median gas per report for each batch size seen, with how many transactions had that size."""
    return {
        str(size): {"transactions": len(values), "gas_per_report_median": int(statistics.median(values))}
        for size, values in per_report.items()
    }


def summary(latency: list[float], rounds: list[dict]) -> tuple[dict, dict]:
    """The latency percentiles and the throughput rounds' totals, as both benchmarks write them."""
    latency_ms = {
        "samples": len(latency),
        "p50": percentile(latency, 50),
        "p95": percentile(latency, 95),
        "p99": percentile(latency, 99),
        "mean": round(statistics.fmean(latency), 2),
    }
    rates = [r["predictions_per_second"] for r in rounds]
    throughput = {
        "rounds": rounds,
        "requests": sum(r["requests"] for r in rounds),
        "lost": sum(r["lost"] for r in rounds),
        "predictions_per_second_median": statistics.median(rates),
        "predictions_per_second_min": min(rates),
        "predictions_per_second_max": max(rates),
    }
    return latency_ms, throughput
