"""What the lending pool tests share: units, the test policy, Python mirrors of the pool's arithmetic, shortcuts."""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass
from pathlib import Path

from brownie import chain

from oracle.ml.model_directory import ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.types import Request, Status
from tests.attestations import (
    ATTESTATION_TTL_SECONDS,
    BUREAU_KEY,
    Attester,
    commitment,
    encrypted_input,
    random_salt,
)
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
    "liquidationThresholdBps",
    "liquidationBonusBps",
    "drawnAmount",
    "debt",
    "lastAccrualAt",
    "settledAmount",
    "feeWei",
    "artifactHash",
    "inputHash",
    "attester",
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
    return [
        Applicant(r["row_id"], r["label"] == 1, [r[n] for n in schema.feature_names], r["expected_pd_bps"])
        for r in ModelDirectory(MODEL_DIR).held_out_rows(limit=count)
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


# What applicants hold and the chain never sees: commitment -> (salt, features). The in-process oracle reads
# it as the nodes would decrypt a private request's input.
PRIVATE_INPUTS: dict[bytes, tuple[bytes, list[int]]] = {}


@dataclass(frozen=True)
class Application:
    """A private, attested application: the commitment to (salt, features), their stand-in ciphertext, and
    the data provider's attestation (expiry, signature) of that commitment for the borrower."""

    salt: bytes
    features: list[int]
    commitment: bytes
    encrypted_input: bytes
    expires_at: int
    signature: bytes

    def apply_args(self) -> list:
        return [self.commitment, self.encrypted_input, self.expires_at, self.signature]


def attester_for(pool, key: bytes = BUREAU_KEY) -> Attester:
    """A data provider signing for the AttestationRegistry of the pool's coordinator."""
    coordinator = pool.coordinator()
    registry = _coordinator_at(coordinator).attestationRegistry()
    return Attester.of(key, chain.id, registry)


def _coordinator_at(address):
    from brownie import OracleCoordinator

    return OracleCoordinator.at(address)


def attest(
    pool,
    borrower,
    committed: bytes,
    attester_key: bytes = BUREAU_KEY,
    ttl_seconds: int = ATTESTATION_TTL_SECONDS,
    model_id: bytes | None = None,
    subject: str | None = None,
) -> tuple[int, bytes]:
    """(expiresAt, signature): the data provider `attester_key` (the test bureau unless given) attests the
    commitment for `borrower` and the pool's model; `model_id` and `subject` attest something else instead."""
    expires_at = chain[-1].timestamp + ttl_seconds
    signature = attester_for(pool, attester_key).sign(
        str(subject or borrower), model_id or bytes(pool.modelId()), committed, expires_at
    )
    return expires_at, signature


def attested(pool, borrower, features, salt: bytes | None = None, **attestation) -> Application:
    """An application of `features` for `borrower`, attested as `attest` says."""
    salt = salt if salt is not None else random_salt()
    committed = commitment(salt, features)
    PRIVATE_INPUTS[committed] = (salt, list(features))
    expires_at, signature = attest(pool, borrower, committed, **attestation)
    return Application(salt, list(features), committed, encrypted_input(), expires_at, signature)


def apply_for_loan(
    pool,
    borrower,
    features,
    collateral_amount=COLLATERAL_UNIT,
    requested=1_000 * USD,
    fee=FEE_WEI,
    application: Application | None = None,
):
    """Has `borrower` apply privately with `features` attested by the test bureau (or with `application`);
    returns (loan id = request id, committed Request, tx)."""
    application = application or attested(pool, borrower, features)
    tx = pool.applyForLoan(collateral_amount, requested, *application.apply_args(), {"from": borrower, "value": fee})
    event = tx.events["PrivatePredictionRequested"]
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
