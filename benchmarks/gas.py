"""Gas of the coordinator's paths, read from transaction receipts on a local anvil chain.

Run with `make bench` (or `python -m benchmarks.gas` inside the project's venv). Every figure is the
median of several rounds measured after a first round has warmed the storage slots that stay warm in
a long-running deployment (signer balances, the consumer's value slot, the request counter).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import yaml
from brownie import accounts, chain, network, project
from eth_account import Account
from eth_utils import keccak

from oracle.chain.eip712 import CoordinatorDomain
from oracle.chain.signer import ObservationSigner, sign_pull_report, sign_report
from oracle.types import PullReport, Request, Status
from tests.attestations import BUREAU_KEY, ENCRYPTED_INPUT_BYTES, Attester, commitment, encrypted_input

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gas.json"
MODEL_ID = keccak(text="credit-risk")
FEE_WEI = 10**15
CALLBACK_GAS = 100_000
FEATURES = [52_000, 1_250, 3, 720, 18_000, 5]
ROUNDS = 5
BATCH_SIZES = (1, 10, 50)
SIGNER_KEYS = [keccak(text=f"benchmark oracle signer {i}") for i in range(3)]
# The lending pool of the attested pull borrow: tests/apps/lending/lending.py's policy and settings.
POLICY = (2_000, 500, 5_000, 7_500, 2_500, 8_500, 500, 7 * 24 * 3600)
SETTINGS = (3_600, 100_000, 3_600)
USD = 10**6

REFERENCES = {
    "note": "measured side by side on anvil with the same compiler, one uint256 delivered to a consumer "
    "that stores it (figures given in the issue)",
    "chainlink_operator": {"request": 117_000, "fulfil": 45_000, "checks": "sender, no signature"},
    "ritual_infernet": {"request": 113_000, "delivery": 98_000},
    "bare_single_signer_eip712_oracle": {"request": 54_000, "fulfil": 38_000},
}


class Bench:
    def __init__(self, contracts, threshold: int) -> None:
        self.owner = accounts[0]
        self.user = accounts[1]
        self.relayer = accounts[2]
        signer_accounts = [Account.from_key(key) for key in SIGNER_KEYS[:threshold]]
        self.coordinator = contracts.OracleCoordinator.deploy(
            self.owner, [a.address for a in signer_accounts], threshold, {"from": self.owner}
        )
        self.coordinator.registerModel(
            MODEL_ID, b"\x01" * 32, b"\x02" * 32, (FEE_WEI, 0, 2_500_000), {"from": self.owner}
        )
        self.consumer = contracts.MinimalConsumer.deploy(self.coordinator, {"from": self.owner})
        domain = CoordinatorDomain(chain.id, self.coordinator.address)
        self.signers = [ObservationSigner(a, domain) for a in signer_accounts]

    def request(self, ttl_seconds: int = 3_600) -> tuple[bytes, Request, int]:
        tx = self.consumer.request(
            MODEL_ID, FEATURES, chain.time() + ttl_seconds, CALLBACK_GAS, {"from": self.user, "value": FEE_WEI}
        )
        event = tx.events["PredictionRequested"]
        return bytes(event["requestId"]), Request.from_abi(event["request"]), tx.gas_used

    def report(self, request_id: bytes, request: Request, value: int) -> tuple[tuple, bytes]:
        values = [value + i for i in range(len(self.signers))]
        report, signatures = sign_report(self.signers, request_id, request, Status.OK, values)
        return report.as_abi(), signatures

    def private_request(self, ttl_seconds: int = 3_600) -> int:
        """A private request: the input commitment, an attestation and an encrypted input sized for 4 nodes."""
        committed = commitment(keccak(text=f"salt {chain.height}"), FEATURES)
        proof = (self.user.address, chain.time() + 600, b"\x01" * 65)
        tx = self.consumer.privateRequest(
            MODEL_ID,
            committed,
            encrypted_input(),
            proof,
            chain.time() + ttl_seconds,
            CALLBACK_GAS,
            {"from": self.user, "value": FEE_WEI},
        )
        return tx.gas_used

    def fulfil(self, value: int) -> int:
        request_id, request, _ = self.request()
        return self.coordinator.fulfill(*self.report(request_id, request, value), {"from": self.relayer}).gas_used

    def fulfil_batch(self, size: int, value: int) -> int:
        pending = [self.request()[:2] for _ in range(size)]
        reports, signatures = zip(
            *(self.report(rid, req, value + i) for i, (rid, req) in enumerate(pending)), strict=True
        )
        tx = self.coordinator.fulfillBatch(list(reports), list(signatures), {"from": self.relayer})
        return tx.gas_used

    def cancel(self) -> int:
        request_id, request, _ = self.request(ttl_seconds=60)
        chain.sleep(61)
        chain.mine()
        return self.coordinator.cancel(request_id, request.as_abi(), {"from": self.relayer}).gas_used


class PullBorrow:
    """LendingPool.borrowWithReport on `bench`'s coordinator: the bureau's attestation checked through the
    AttestationRegistry, a pull report of `threshold` signatures checked by the coordinator, collateral taken and
    400 mUSD drawn."""

    def __init__(self, contracts, bench: Bench) -> None:
        owner, self.borrower = bench.owner, accounts[3]
        self.bench = bench
        registry = contracts.AttestationRegistry.deploy(owner, {"from": owner})
        bench.coordinator.setAttestationRegistry(registry, {"from": owner})
        self.bureau = Attester.of(BUREAU_KEY, chain.id, registry.address)
        registry.setAttester(MODEL_ID, self.bureau.address, True, {"from": owner})
        stablecoin = contracts.MockStablecoin.deploy("Mock USD", "mUSD", 6, owner, {"from": owner})
        collateral = contracts.MockCollateralToken.deploy("Mock Ether", "mETH", 18, owner, {"from": owner})
        feed = contracts.MockPriceFeed.deploy(8, "mETH / mUSD", 2_000 * 10**8, owner, {"from": owner})
        self.pool = contracts.LendingPool.deploy(
            stablecoin, collateral, feed, bench.coordinator, MODEL_ID, POLICY, SETTINGS, owner, {"from": owner}
        )
        stablecoin.mint(owner, 1_000_000 * USD, {"from": owner})
        stablecoin.approve(self.pool, 2**256 - 1, {"from": owner})
        self.pool.deposit(1_000_000 * USD, owner, {"from": owner})
        collateral.mint(self.borrower, 1_000 * 10**18, {"from": owner})
        collateral.approve(self.pool, 2**256 - 1, {"from": self.borrower})

    def borrow(self, round_: int) -> int:
        committed = commitment(keccak(text=f"salt {round_}"), FEATURES)
        expires_at = chain.time() + 600
        signature = self.bureau.sign(self.borrower.address, MODEL_ID, committed, expires_at)
        values = tuple(1_000 + i for i in range(len(self.bench.signers)))
        report = PullReport(
            self.borrower.address,
            self.pool.address,
            chain.time() + 300,
            MODEL_ID,
            b"\x01" * 32,
            committed,
            Status.OK,
            values,
        )
        signatures = sign_pull_report(self.bench.signers, report)
        tx = self.pool.borrowWithReport(
            report.as_abi(),
            signatures,
            10**18,
            1_000 * USD,
            400 * USD,
            expires_at,
            signature,
            {"from": self.borrower},
        )
        return tx.gas_used


def steady_median(measure, rounds: int = ROUNDS) -> int:
    measure(0)  # warm-up round: first writes to slots that stay non-zero afterwards
    return int(statistics.median(measure(r + 1) for r in range(rounds)))


def compiler_settings() -> dict:
    """The settings brownie compiled the coordinator with (solc version, optimizer, EVM version, IR)."""
    artifact = json.loads((ROOT / "build" / "contracts" / "OracleCoordinator.json").read_text())
    configured = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())["compiler"]["solc"]
    return {**artifact["compiler"], "viaIR": bool(configured.get("viaIR"))}


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    anvil = subprocess.run(["anvil", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"cpu": cpu, "python": sys.version.split()[0], "platform": platform.platform(), "anvil": anvil}


def loaded_machine(load_before: tuple[float, float, float], **extra: str) -> dict:
    """machine() with the core count, any `extra` entries, and the load average before the run and now."""
    return {
        **machine(),
        "cores": os.cpu_count(),
        **extra,
        "load_average_1_5_15_min_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_min_after": [round(x, 2) for x in os.getloadavg()],
    }


def run() -> dict:
    contracts = project.load(ROOT, name="AiOracleBench")
    network.connect("development")
    try:
        single = Bench(contracts, threshold=1)
        request_gas = steady_median(lambda _: single.request()[2])
        fulfil_k1 = steady_median(single.fulfil)
        cancel_gas = steady_median(lambda _: single.cancel())
        batch = {
            str(size): round(steady_median(lambda v, s=size: single.fulfil_batch(s, v), rounds=3) / size)
            for size in BATCH_SIZES
        }
        private_request_gas = steady_median(lambda _: single.private_request())
        triple = Bench(contracts, threshold=3)
        fulfil_k3 = steady_median(triple.fulfil)
        pull_borrow_k3 = steady_median(PullBorrow(contracts, triple).borrow)
    finally:
        network.disconnect()
    return {
        "command": "make bench  (python -m benchmarks.gas)",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": "gas_used from transaction receipts on anvil; median of "
        f"{ROUNDS} rounds after one warm-up round; request through a consumer contract with "
        f"{len(FEATURES)} int256 features and a {CALLBACK_GAS} callback gas limit; the consumer stores one "
        "int256 per answer (MinimalConsumer). request_private_n4: the same request made private (input "
        f"commitment, a 65-byte attestation, {ENCRYPTED_INPUT_BYTES} bytes of encrypted input: a version byte, "
        "4 x (20-byte node address + 97-byte ECIES-wrapped key), AES-GCM nonce, ~400-byte ciphertext, tag). "
        "pull_borrow_attested_k3: LendingPool.borrowWithReport with the bureau's attestation verified by the "
        "AttestationRegistry, a 3-signature pull report, collateral taken and 400 mUSD drawn",
        "compiler": compiler_settings(),
        "machine": machine(),
        "gas": {
            "request": request_gas,
            "request_private_n4": private_request_gas,
            "fulfill_k1": fulfil_k1,
            "fulfill_k3": fulfil_k3,
            "fulfill_batch_per_report": batch,
            "cancel": cancel_gas,
            "pull_borrow_attested_k3": pull_borrow_k3,
        },
        "targets": {"fulfill_k1_max": 50_000, "fulfill_k3_max": 72_000, "batched_per_report_max": 25_000},
        "references": REFERENCES,
    }


def main() -> None:
    warnings.filterwarnings("ignore", r"rpc\.", FutureWarning)  # brownie's chain.sleep calls its own deprecated API
    with contextlib.redirect_stdout(io.StringIO()):  # brownie prints every transaction
        results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["gas"], indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
