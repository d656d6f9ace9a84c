"""What the lending pool tests share: units, the test policy, Python mirrors of the pool's arithmetic, shortcuts."""

from __future__ import annotations

import csv
import re
from dataclasses import astuple, dataclass
from pathlib import Path

from oracle.ml.schema import FeatureSchema
from oracle.types import Request, Status
from tests.helpers import FEE_WEI, custom_error, signed_report

MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "credit-risk"

USD = 10**6  # mUSD has 6 decimals
COLLATERAL_UNIT = 10**18  # mETH has 18
PRICE_DECIMALS = 8
INITIAL_PRICE = 2_000 * 10**PRICE_DECIMALS  # 1 mETH = 2,000 mUSD
BPS = 10_000
YEAR_SECONDS = 365 * 24 * 3600
SCALE = BPS * YEAR_SECONDS  # DebtLedger.SCALE
MAX_UINT = 2**256 - 1

LOAN_FIELDS = (
    "borrower",
    "status",
    "pdBps",
    "aprBps",
    "ltvBps",
    "drawDeadline",
    "collateralAmount",
    "requestedAmount",
    "drawnAmount",
    "debt",
    "lastAccrualAt",
    "settledAmount",
    "feeWei",
    "artifactHash",
    "inputHash",
)


class LoanStatus:
    NONE, PENDING, REJECTED, EXPIRED, ACTIVE, REPAID, LIQUIDATED, CLOSED = range(8)


@dataclass(frozen=True)
class Policy:
    """Mirror of the CreditPolicy struct (same field order)."""

    max_pd_bps: int = 2_000
    base_apr_bps: int = 500
    apr_slope_bps: int = 5_000
    max_ltv_bps: int = 7_500
    ltv_slope_bps: int = 2_500
    liquidation_threshold_bps: int = 8_500
    liquidation_bonus_bps: int = 500
    draw_window_seconds: int = 7 * 24 * 3600

    def as_abi(self) -> tuple:
        return astuple(self)

    def terms(self, pd_bps: int) -> tuple[bool, int, int]:
        """(approved, aprBps, ltvBps) as CreditPolicyMath.terms computes them."""
        if pd_bps > self.max_pd_bps:
            return False, 0, 0
        apr = self.base_apr_bps + -(-self.apr_slope_bps * pd_bps // BPS)
        ltv = self.max_ltv_bps - -(-self.ltv_slope_bps * pd_bps // BPS)
        return True, apr, ltv


@dataclass(frozen=True)
class Settings:
    """Mirror of the PoolSettings struct."""

    request_ttl_seconds: int = 3_600
    callback_gas_limit: int = 100_000
    max_price_age_seconds: int = 3_600

    def as_abi(self) -> tuple:
        return astuple(self)


POLICY = Policy()
SETTINGS = Settings()


@dataclass(frozen=True)
class Applicant:
    """One row of models/credit-risk/held_out.csv as request integers."""

    row_id: int
    defaulted: bool
    features: list[int]
    expected_pd_bps: int


def held_out_rows(schema: FeatureSchema, count: int) -> list[Applicant]:
    with (MODEL_DIR / "held_out.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))[:count]
    return [
        Applicant(
            int(r["row_id"]), r["label"] == "1", [int(r[n]) for n in schema.feature_names], int(r["expected_pd_bps"])
        )
        for r in rows
    ]


ANY_UINT = object()
_SENTINEL = 918_273_645_546_372_819


def custom_error_pattern(contract, name: str, *args) -> str:
    """A `revert_pattern` for custom error `name(args)` where ANY_UINT stands for any unsigned integer: for a
    debt in an error, which grows with each second between the last block and the reverting transaction's."""
    message = custom_error(contract, name, *[_SENTINEL if a is ANY_UINT else a for a in args])
    return re.escape(message).replace(str(_SENTINEL), r"\d+")


def owed(debt: int, apr_bps: int, since: int, now: int) -> tuple[int, int]:
    """(debt now rounded up, exact scaled debt), as DebtLedger.owed computes them."""
    scaled = debt * SCALE + debt * apr_bps * (now - since)
    return -(-scaled // SCALE), scaled


def loan_of(pool, loan_id: bytes) -> dict:
    """pool.loanOf as a plain dict by field name."""
    values = pool.loanOf(loan_id)
    return {name: (int(v) if isinstance(v, int) else v) for name, v in zip(LOAN_FIELDS, values, strict=True)}


def apply_for_loan(pool, borrower, features, collateral_amount=COLLATERAL_UNIT, requested=1_000 * USD, fee=FEE_WEI):
    """Has `borrower` apply; returns (loan id = request id, committed Request, tx)."""
    tx = pool.applyForLoan(collateral_amount, requested, list(features), {"from": borrower, "value": fee})
    event = tx.events["PredictionRequested"]
    return bytes(event["requestId"]), Request.from_abi(event["request"]), tx


def answer(coordinator, signers, relayer, request_id: bytes, request: Request, pd_bps: int, status=Status.OK):
    """Fulfils the request on the coordinator with a Python-signed report of `pd_bps`."""
    report, signatures = signed_report(signers, request_id, request, [pd_bps], status)
    return coordinator.fulfill(report, signatures, {"from": relayer})


def approved_loan(pool, coordinator, signers, relayer, borrower, features, pd_bps=1_000, **amounts) -> bytes:
    """Applies and answers with `pd_bps` (within the policy): returns the active loan's id."""
    loan_id, request, _ = apply_for_loan(pool, borrower, features, **amounts)
    answer(coordinator, signers, relayer, loan_id, request, pd_bps)
    return loan_id
