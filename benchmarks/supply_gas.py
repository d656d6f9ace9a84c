"""Gas of SupplyChainEscrow's paths, read from transaction receipts on a local anvil chain.

Run with `python -m benchmarks.supply_gas [--network NAME]` inside the project's venv (default network:
development). Every figure is the median of several rounds after a warm-up round. A fulfilment's gas includes
the escrow's callback; the callback's own gas is read from anvil's call trace (debug_traceTransaction).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
import warnings
from collections import defaultdict
from pathlib import Path

from brownie import accounts, chain, network, project, web3
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak

from benchmarks.gas import compiler_settings, machine
from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner, sign_report
from oracle.types import Request, Status, model_id

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "supply_gas.json"
ROUNDS = 5
CONDITION_MODEL = model_id("shipment-condition")
DELAY_MODEL = model_id("delivery-delay")
FEE_WEI = 10**15
PRICE = 25_000 * 10**18
SLA_SECONDS = 2 * 86_400
DISPUTE_WINDOW_SECONDS = 3 * 86_400
DELAY_FEATURES = [4, 1, 27, 1_089, 1_530, 7]
SENSOR_FEATURES = [4_312, -1_250, 88, 0, 7_900, 31, -4, 120]
SIGNER_KEY = keccak(text="benchmark oracle signer 0")
ON_PREDICTION = "0x" + function_signature_to_4byte_selector("onPrediction(bytes32,uint8,int256)").hex()


class SupplyBench:
    def __init__(self, contracts) -> None:
        self.admin, self.buyer, self.supplier, self.carrier, self.gateway, self.arbiter, self.relayer = (
            accounts[i] for i in (0, 3, 4, 5, 6, 7, 2)
        )
        signer_account = Account.from_key(SIGNER_KEY)
        self.coordinator = contracts.OracleCoordinator.deploy(
            self.admin, [signer_account.address], 1, {"from": self.admin}
        )
        for model in (CONDITION_MODEL, DELAY_MODEL):
            self.coordinator.registerModel(
                model, keccak(model), keccak(keccak(model)), (FEE_WEI, 0, 2_500_000), {"from": self.admin}
            )
        settings = (CONDITION_MODEL, DELAY_MODEL, 5_000, DISPUTE_WINDOW_SECONDS, 3_600)
        self.escrow = contracts.SupplyChainEscrow.deploy(self.coordinator, self.admin, settings, {"from": self.admin})
        self.escrow.grantRole(self.escrow.GATEWAY_ROLE(), self.gateway, {"from": self.admin})
        self.escrow.grantRole(self.escrow.ARBITER_ROLE(), self.arbiter, {"from": self.admin})
        self.token = contracts.MockEscrowToken.deploy({"from": self.admin})
        self.token.mint(self.buyer, 1_000 * PRICE, {"from": self.admin})
        self.token.approve(self.escrow, 2**256 - 1, {"from": self.buyer})
        self.signer = ObservationSigner(signer_account, CoordinatorDomain(chain.id, self.coordinator.address))
        self.gas: dict[str, list[int]] = defaultdict(list)

    def record(self, step: str, tx):
        self.gas[step].append(tx.gas_used)
        return tx

    def callback(self, step: str, tx) -> None:
        """The gas the escrow's onPrediction used inside `tx`, from the call trace."""
        trace = web3.provider.make_request("debug_traceTransaction", [tx.txid, {"tracer": "callTracer"}])["result"]
        calls = [c for c in trace.get("calls", []) if c.get("input", "").startswith(ON_PREDICTION)]
        self.gas[step].append(int(calls[0]["gasUsed"], 16))

    def create(self, sla_seconds: int = SLA_SECONDS) -> int:
        terms = (
            self.supplier.address,
            self.carrier.address,
            self.token.address,
            PRICE,
            chain[-1].timestamp + sla_seconds,
            6_000,
            1_000,
        )
        tx = self.record(
            "create", self.escrow.createShipment(terms, "Uruapan MX", DELAY_FEATURES, {"from": self.buyer})
        )
        return int(tx.return_value)

    def answer(self, request_tx, value: int):
        event = request_tx.events["PredictionRequested"]
        request_id, request = bytes(event["requestId"]), Request.from_abi(event["request"])
        report, signatures = sign_report([self.signer], request_id, request, Status.OK, [value])
        return self.coordinator.fulfill(report.as_abi(), signatures, {"from": self.relayer})

    def in_transit(self, sla_seconds: int = SLA_SECONDS) -> int:
        shipment_id = self.create(sla_seconds)
        self.record("checkpoint (first)", self.checkpoint(shipment_id))
        dispatch = self.record(
            "dispatch", self.escrow.dispatch(shipment_id, DELAY_FEATURES, {"from": self.supplier, "value": FEE_WEI})
        )
        fulfil = self.record("fulfil delay risk (with alert)", self.answer(dispatch, 7_000))
        self.callback("callback delay risk (with alert)", fulfil)
        self.record("checkpoint (next)", self.checkpoint(shipment_id))
        return shipment_id

    def checkpoint(self, shipment_id: int):
        return self.escrow.recordCheckpoint(
            shipment_id, "Laredo TX", keccak(text="sensor log"), SENSOR_FEATURES, {"from": self.gateway}
        )

    def deliver(self, shipment_id: int):
        return self.record(
            "deliver", self.escrow.deliver(shipment_id, SENSOR_FEATURES, {"from": self.carrier, "value": FEE_WEI})
        )

    def delivered(self, step: str, value: int, sla_seconds: int = SLA_SECONDS) -> int:
        shipment_id = self.in_transit(sla_seconds)
        if sla_seconds < SLA_SECONDS:
            chain.sleep(sla_seconds + 1)
            chain.mine()
        fulfil = self.record(f"fulfil condition ({step})", self.answer(self.deliver(shipment_id), value))
        self.callback(f"callback condition ({step})", fulfil)
        return shipment_id

    def round(self) -> None:
        clean = self.delivered("released", 500)
        late = self.delivered("late penalty", 500, sla_seconds=60)
        spoiled = self.delivered("spoiled", 9_000)
        expired_id = self.in_transit()
        requested = self.deliver(expired_id).events["PredictionRequested"]
        chain.sleep(3_601)
        chain.mine()
        request = Request.from_abi(requested["request"]).as_abi()
        cancelled = self.record(
            "cancel expired condition request",
            self.coordinator.cancel(bytes(requested["requestId"]), request, {"from": self.relayer}),
        )
        self.callback("callback condition (expired: refund and fee refund)", cancelled)
        self.record("dispute", self.escrow.dispute(spoiled, "sensor fault", {"from": self.supplier}))
        self.record("resolve dispute", self.escrow.resolveDispute(spoiled, 2_000, {"from": self.arbiter}))
        chain.sleep(DISPUTE_WINDOW_SECONDS + 1)
        chain.mine()
        for shipment_id in (clean, late, expired_id):
            self.record("finalize", self.escrow.finalize(shipment_id, {"from": self.relayer}))
        self.record("cancel shipment before dispatch", self.escrow.cancel(self.create(), {"from": self.buyer}))
        for party in (self.supplier, self.buyer):
            self.record("withdraw", self.escrow.withdraw(self.token, party, {"from": party}))
        self.record("withdraw fee refund", self.escrow.withdrawFeeRefund(self.carrier, {"from": self.carrier}))


def run(network_name: str) -> dict:
    contracts = project.load(ROOT, name="AiOracleSupplyBench")
    network.connect(network_name)
    try:
        bench = SupplyBench(contracts)
        bench.round()  # warm-up: first writes to slots that stay non-zero afterwards
        bench.gas.clear()
        for _ in range(ROUNDS):
            bench.round()
    finally:
        network.disconnect()
    return {
        "command": "python -m benchmarks.supply_gas",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": f"gas_used from transaction receipts on anvil, median of {ROUNDS} rounds after one warm-up round; "
        "callbacks: gasUsed of the coordinator's call to onPrediction in debug_traceTransaction (callTracer); "
        f"{len(DELAY_FEATURES)} delay features, {len(SENSOR_FEATURES)} sensor summary features, k = 1",
        "compiler": compiler_settings(),
        "machine": machine(),
        "callback_gas_limit": 150_000,
        "gas": {step: int(statistics.median(values)) for step, values in bench.gas.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="development", help="a brownie network whose chain is anvil")
    arguments = parser.parse_args()
    warnings.filterwarnings("ignore", r"rpc\.", FutureWarning)  # brownie's chain.sleep calls its own deprecated API
    with contextlib.redirect_stdout(io.StringIO()):  # brownie prints every transaction
        results = run(arguments.network)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["gas"], indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
