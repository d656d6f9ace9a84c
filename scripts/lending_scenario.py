"""The AI lending pool scenario, driven by its caller: `run(coordinator, settle, console)`.

The caller owns the oracle side: it deploys the OracleCoordinator, registers the credit-risk model on it
(`keccak256("credit-risk")`, with the sha256 of models/credit-risk's artifact and schema) and passes
`settle`, a callable that returns once the oracle has answered every pending request (`make demo` waits
for the real oracle node; the tests answer in process). This module deploys and runs the rest:

1. a mock stablecoin (mUSD, 6 decimals), collateral (mETH, 18), a Chainlink-shaped price feed and the
   LendingPool wired to credit-risk;
2. two lenders deposit;
3. a credit bureau (a demo key the pool's model owner trusts in the coordinator's AttestationRegistry)
   attests each of ten borrowers, the first ten rows of models/credit-risk/held_out.csv: it signs the
   commitment of a salt and the borrower's real features for that borrower; each applies privately, with
   only the commitment, the attestation and the features sealed to the oracle network's published
   encryption keys on chain, asking for the row's loan amount against collateral worth twice as much;
   an eleventh applicant who raises the income the bureau attested is refused by the pool;
4. `settle()`; the decisions are printed with PD, APR and max LTV;
5. two approved borrowers draw their credit lines; 90 days pass;
6. the first repays with interest and gets its collateral back; then the collateral's price drops 42.5 %
   and a liquidator repays the second's debt for its collateral plus the bonus.

Local chains only (chain id 31337): the mocks mint freely and the scenario moves the clock.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from brownie import (
    AttestationRegistry,
    LendingPool,
    MockCollateralToken,
    MockPriceFeed,
    MockStablecoin,
    accounts,
    chain,
    web3,
)
from brownie.exceptions import VirtualMachineError
from eth_account import Account
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from oracle.chain.coordinator import Coordinator
from oracle.ml.model_directory import ModelDirectory
from oracle.ml.schema import FeatureSchema
from oracle.privacy.attestation import Attestation, AttestationDomain, sign_attestation
from oracle.privacy.commitment import commitment, new_salt
from oracle.privacy.envelope import Recipient, seal
from oracle.types import model_id

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "credit-risk"
MODEL_NAME = "credit-risk"
LOCAL_CHAIN_ID = 31337
APPLICANTS = 10
# The demo credit bureau: a public test key, trusted only by this scenario's local registry.
BUREAU_KEY = keccak(text="ai-oracle demo credit bureau")
ATTESTATION_TTL_SECONDS = 3_600
# position of the monthly income among the credit-risk request features
INCOME = FeatureSchema.from_file(MODEL_DIR / "schema.json").feature_names.index("income")

USD = 10**6
METH = 10**18
PRICE_DECIMALS = 8
PRICE = 2_000 * 10**PRICE_DECIMALS
CRASHED_PRICE = 1_150 * 10**PRICE_DECIMALS
DAY = 24 * 3600
MAX_UINT = 2**256 - 1

# CreditPolicy: approve PD <= 20 %; APR 5 % + 50 % x PD; max LTV 75 % - 25 % x PD; liquidation above 85 %
# of the collateral's value with a 5 % bonus; 7 days to draw.
POLICY = (2_000, 500, 5_000, 7_500, 2_500, 8_500, 500, 7 * DAY)
# PoolSettings: request deadline 1 hour, callback gas 100,000 (it uses about 18,000), price at most 1 hour old.
SETTINGS = (3_600, 100_000, 3_600)
STATUS_NAMES = ("-", "pending", "rejected", "expired", "approved", "repaid", "liquidated", "closed")
REJECTED, ACTIVE = 2, 4


class ScenarioError(RuntimeError):
    """The scenario cannot go on: the chain is not local, or the oracle left it without what it needs."""


@dataclass(frozen=True)
class Applicant:
    row_id: int
    defaulted: bool
    features: list[int]
    amount: int  # mUSD units


@dataclass
class LendingScenario:
    """What happened, for callers and tests: contracts, every loan id by applicant, outcomes and gas."""

    pool: object
    stablecoin: object
    collateral: object
    feed: object
    loans: dict[int, bytes] = field(default_factory=dict)
    refused_edit: str = ""  # why the pool refused the applicant who edited an attested feature
    repayment: dict[str, int] = field(default_factory=dict)
    liquidation: dict[str, int] = field(default_factory=dict)
    gas: dict[str, int] = field(default_factory=dict)


def run(coordinator, settle: Callable[[], None], console: Console, *, deployer=None) -> LendingScenario:
    """Runs the scenario against `coordinator` (credit-risk registered), calling `settle()` once after the
    ten applications; prints to `console`. `deployer` (default accounts[0]) deploys and funds everyone else."""
    if chain.id != LOCAL_CHAIN_ID:
        raise ScenarioError(
            f"the lending scenario mints mock tokens and moves the clock: chain id {chain.id} is not local"
        )
    deployer = deployer or accounts[0]
    credit_risk = model_id(MODEL_NAME)
    applicants = held_out_applicants(APPLICANTS)

    with _quiet():
        scenario = _deploy(coordinator, credit_risk, deployer)
        lenders, borrowers, liquidator = _participants(deployer, len(applicants))
        _deposit(scenario, lenders, [600_000 * USD, 400_000 * USD])
    fee_wei = int(coordinator.requestFee(credit_risk, scenario.pool.settings()["callbackGasLimit"]))
    console.print(
        f"[bold]LendingPool[/] {scenario.pool.address}: lenders deposited "
        f"{_usd(scenario.pool.totalAssets())} mUSD; model {MODEL_NAME}, oracle fee {fee_wei / 1e18:.4f} ETH"
    )

    bureau = Account.from_key(BUREAU_KEY)
    with _quiet():
        domain = _trust_bureau(coordinator, credit_risk, bureau, deployer)
        recipients = _network_recipients(coordinator)
        _apply(scenario, applicants, borrowers, fee_wei, bureau, domain, recipients)
    console.print(
        f"{len(applicants)} held-out applicants applied privately: features attested by the credit bureau "
        f"{bureau.address}, sealed to {len(recipients)} nodes, only their commitments on chain; waiting for the "
        "oracle ..."
    )
    edited = held_out_applicants(APPLICANTS + 1)[-1]
    with _quiet():
        cheater = _participants_named(deployer, "editing applicant")
        scenario.refused_edit = _apply_edited(scenario, edited, cheater, fee_wei, bureau, domain, recipients)
    console.print(
        f"held-out row {edited.row_id} raised the income the bureau attested from {edited.features[INCOME]} to "
        f"{edited.features[INCOME] * 3} and applied with the old attestation: refused by the pool "
        f"({scenario.refused_edit})"
    )
    settle()
    console.print(_decisions_table(scenario, applicants))

    approved = [row for row, loan_id in scenario.loans.items() if scenario.pool.loanOf(loan_id)[1] == ACTIVE]
    if len(approved) < 2:
        raise ScenarioError(
            f"{len(approved)} applications approved: the scenario needs two (one repays, one is liquidated)"
        )
    borrower_of = {a.row_id: b for a, b in zip(applicants, borrowers, strict=True)}
    repaying, defaulting = approved[0], approved[1]
    with _quiet():
        drawn = {row: _draw_line(scenario, borrower_of[row], scenario.loans[row]) for row in (repaying, defaulting)}
        chain.sleep(90 * DAY)
        scenario.feed.setAnswer(PRICE, {"from": deployer})  # a fresh round, as a live feed would have
        _repay(scenario, borrower_of[repaying], scenario.loans[repaying], drawn[repaying])
        _liquidate(scenario, scenario.loans[defaulting], liquidator, deployer, drawn[defaulting])
    _print_repayment(console, repaying, scenario.repayment)
    _print_liquidation(console, defaulting, scenario.liquidation)
    _print_pool(console, scenario, lenders)
    return scenario


def held_out_applicants(count: int) -> list[Applicant]:
    """The first `count` rows of held_out.csv, features in the schema's order."""
    directory = ModelDirectory(MODEL_DIR)
    names = FeatureSchema.from_file(directory.schema).feature_names
    return [
        Applicant(row["row_id"], row["label"] == 1, [row[name] for name in names], row["amount"] * USD)
        for row in directory.held_out_rows(count)
    ]


# ---------------------------------------------------------------- setting up


def _deploy(coordinator, credit_risk: bytes, deployer) -> LendingScenario:
    sender = {"from": deployer}
    stablecoin = MockStablecoin.deploy("Mock USD", "mUSD", 6, deployer, sender)
    collateral = MockCollateralToken.deploy("Mock Ether", "mETH", 18, deployer, sender)
    feed = MockPriceFeed.deploy(PRICE_DECIMALS, "mETH / mUSD", PRICE, deployer, sender)
    pool = LendingPool.deploy(
        stablecoin, collateral, feed, coordinator, credit_risk, POLICY, SETTINGS, deployer, sender
    )
    return LendingScenario(pool, stablecoin, collateral, feed)


def _participants_named(deployer, label: str):
    """A local account from a fixed label (a public test key of this scenario), sent 1 ETH for fees."""
    created = accounts.add(keccak(text=f"ai-oracle lending scenario {label}").hex())
    deployer.transfer(created, 10**18)
    return created


def _participants(deployer, borrower_count: int):
    lenders = [_participants_named(deployer, f"lender {i}") for i in range(2)]
    borrowers = [_participants_named(deployer, f"borrower {i}") for i in range(borrower_count)]
    return lenders, borrowers, _participants_named(deployer, "liquidator")


def _trust_bureau(coordinator, credit_risk: bytes, bureau, deployer) -> AttestationDomain:
    """The model owner trusts the bureau for credit-risk and requires attested inputs from then on."""
    address = coordinator.attestationRegistry()
    if int(address, 16) == 0:
        raise ScenarioError("the coordinator names no AttestationRegistry (scripts.deployment deploys one)")
    registry = AttestationRegistry.at(address)
    registry.setAttester(credit_risk, bureau.address, True, {"from": deployer})
    registry.setAttestationRequired(credit_risk, True, {"from": deployer})
    return AttestationDomain(chain.id, registry.address)


def _network_recipients(coordinator) -> list[Recipient]:
    """The nodes' encryption keys as the coordinator publishes them: whom a frontend seals inputs to."""
    keys = Coordinator(web3, coordinator.address).encryption_keys()
    if not keys:
        raise ScenarioError("no oracle node has published an encryption key on the coordinator yet")
    return [Recipient(address, key) for address, key in keys]


def _deposit(scenario: LendingScenario, lenders, amounts: list[int]) -> None:
    for lender, amount in zip(lenders, amounts, strict=True):
        scenario.stablecoin.mint(lender, amount, {"from": lender})
        scenario.stablecoin.approve(scenario.pool, amount, {"from": lender})
        scenario.pool.deposit(amount, lender, {"from": lender})


def _apply(
    scenario: LendingScenario, applicants: list[Applicant], borrowers, fee_wei: int, bureau, domain, recipients
) -> None:
    """Each borrower posts collateral worth twice the amount asked for and applies privately: the bureau's
    attestation of its features' commitment, and the features sealed to the network."""
    for applicant, borrower in zip(applicants, borrowers, strict=True):
        salt = new_salt()
        attested, expires, signature = _attest(bureau, domain, borrower, salt, applicant.features)
        tx = _submit(
            scenario,
            applicant,
            borrower,
            fee_wei,
            attested,
            seal(salt, applicant.features, recipients),
            expires,
            signature,
        )
        scenario.loans[applicant.row_id] = bytes(tx.events["LoanApplied"]["loanId"])
        scenario.gas.setdefault("apply", tx.gas_used)


def _apply_edited(
    scenario: LendingScenario, applicant: Applicant, borrower, fee_wei: int, bureau, domain, recipients
) -> str:
    """The bureau attests the applicant's real features; the applicant triples its income and applies with that
    attestation. Returns the pool's refusal."""
    salt = new_salt()
    _, expires, signature = _attest(bureau, domain, borrower, salt, applicant.features)
    edited = list(applicant.features)
    edited[INCOME] *= 3
    try:
        _submit(
            scenario,
            applicant,
            borrower,
            fee_wei,
            commitment(salt, edited),
            seal(salt, edited, recipients),
            expires,
            signature,
        )
    except VirtualMachineError as refusal:
        # the signature now recovers an address the registry does not trust: the attested fields differ
        return (refusal.revert_msg or str(refusal)).split(":")[0]
    raise ScenarioError("the pool accepted features that differ from the attested ones")


def _attest(bureau, domain: AttestationDomain, borrower, salt: bytes, features) -> tuple[bytes, int, bytes]:
    expires = chain.time() + ATTESTATION_TTL_SECONDS
    attested = commitment(salt, features)
    signature = sign_attestation(bureau, domain, Attestation(borrower.address, model_id(MODEL_NAME), attested, expires))
    return attested, expires, signature


def _submit(scenario, applicant, borrower, fee_wei, input_commitment, sealed, expires, signature):
    collateral_amount = 2 * applicant.amount * METH * 10**PRICE_DECIMALS // (PRICE * USD)
    scenario.collateral.mint(borrower, collateral_amount, {"from": borrower})
    scenario.collateral.approve(scenario.pool, collateral_amount, {"from": borrower})
    return scenario.pool.applyForLoan(
        collateral_amount,
        applicant.amount,
        input_commitment,
        sealed,
        expires,
        signature,
        {"from": borrower, "value": fee_wei},
    )


# ---------------------------------------------------------------- the two stories


def _draw_line(scenario: LendingScenario, borrower, loan_id: bytes) -> int:
    """The borrower draws its whole credit line; returns the amount."""
    line = int(scenario.pool.availableToDraw(loan_id))
    scenario.gas["draw"] = scenario.pool.draw(loan_id, line, {"from": borrower}).gas_used
    return line


def _repay(scenario: LendingScenario, borrower, loan_id: bytes, drawn: int) -> None:
    pool = scenario.pool
    # The interest, earned elsewhere, with a margin for the seconds until the repayment's block.
    scenario.stablecoin.mint(borrower, pool.debtOf(loan_id) - drawn + USD, {"from": borrower})
    scenario.stablecoin.approve(pool, MAX_UINT, {"from": borrower})
    collateral_before = scenario.collateral.balanceOf(borrower)
    tx = pool.repay(loan_id, MAX_UINT, {"from": borrower})
    scenario.gas["repay (full)"] = tx.gas_used
    scenario.repayment = {
        "drawn": drawn,
        "repaid": int(tx.return_value),
        "interest": int(pool.accruedInterestOf(loan_id)),
        "collateral_returned": int(scenario.collateral.balanceOf(borrower) - collateral_before),
    }


def _liquidate(scenario: LendingScenario, loan_id: bytes, liquidator, deployer, drawn: int) -> None:
    pool = scenario.pool
    scenario.feed.setAnswer(CRASHED_PRICE, {"from": deployer})
    if not pool.isLiquidatable(loan_id):
        raise ScenarioError(f"loan {loan_id.hex()} is still healthy after the price drop")
    scenario.stablecoin.mint(liquidator, pool.debtOf(loan_id) + USD, {"from": liquidator})
    scenario.stablecoin.approve(pool, MAX_UINT, {"from": liquidator})
    tx = pool.liquidate(loan_id, {"from": liquidator})
    scenario.gas["liquidate"] = tx.gas_used
    event = tx.events["LoanLiquidated"]
    seized = int(event["collateralSeized"])
    scenario.liquidation = {
        "drawn": drawn,
        "repaid": int(event["repaidAmount"]),
        "seized": seized,
        "seized_value": int(pool.collateralValue(seized)),
        "returned": int(event["collateralReturned"]),
        "bad_debt": int(event["badDebt"]),
    }


# ---------------------------------------------------------------- printing


def _decisions_table(scenario: LendingScenario, applicants: list[Applicant]) -> Table:
    table = Table(title="Credit decisions on chain (PD from the credit-risk model, terms from the pool's policy)")
    for column in ("held-out row", "defaulted", "asked (mUSD)", "PD", "decision", "APR", "max LTV", "credit line"):
        table.add_column(column, justify="right")
    for applicant in applicants:
        loan = scenario.pool.loanOf(scenario.loans[applicant.row_id])
        status, pd_bps, apr_bps, ltv_bps = int(loan[1]), int(loan[2]), int(loan[3]), int(loan[4])
        approved = status == ACTIVE
        # A rejection with PD 0 can only be an answer without a PD (INVALID_INPUT or MODEL_ERROR).
        answered = status in (REJECTED, ACTIVE) and (approved or pd_bps != 0)
        table.add_row(
            str(applicant.row_id),
            "yes" if applicant.defaulted else "no",
            _usd(applicant.amount),
            f"{pd_bps / 100:.2f} %" if answered else "-",
            STATUS_NAMES[status],
            f"{apr_bps / 100:.2f} %" if approved else "-",
            f"{ltv_bps / 100:.2f} %" if approved else "-",
            _usd(scenario.pool.availableToDraw(scenario.loans[applicant.row_id])) if approved else "-",
        )
    return table


def _print_repayment(console: Console, row_id: int, outcome: dict[str, int]) -> None:
    console.print(
        f"row {row_id} drew {_usd(outcome['drawn'])} mUSD, 90 days later repaid {_usd(outcome['repaid'])} "
        f"({_usd(outcome['interest'])} interest) and got its {outcome['collateral_returned'] / METH:.4f} mETH back"
    )


def _print_liquidation(console: Console, row_id: int, outcome: dict[str, int]) -> None:
    console.print(
        f"row {row_id} drew {_usd(outcome['drawn'])} mUSD; 90 days later mETH fell from {PRICE / 10**PRICE_DECIMALS:,.0f} to "
        f"{CRASHED_PRICE / 10**PRICE_DECIMALS:,.0f} mUSD; a liquidator repaid {_usd(outcome['repaid'])} mUSD and took "
        f"{outcome['seized'] / METH:.4f} mETH worth {_usd(outcome['seized_value'])}; the borrower kept "
        f"{outcome['returned'] / METH:.4f} mETH; bad debt {_usd(outcome['bad_debt'])}"
    )


def _print_pool(console: Console, scenario: LendingScenario, lenders) -> None:
    pool = scenario.pool
    console.print(
        f"pool: {_usd(pool.totalAssets())} mUSD of assets ({_usd(pool.totalDebt())} lent out), "
        f"lenders hold {', '.join(_usd(pool.convertToAssets(pool.balanceOf(lender))) for lender in lenders)} mUSD"
    )
    console.print("gas: " + ", ".join(f"{name} {used:,}" for name, used in scenario.gas.items()))


def _usd(amount: int) -> str:
    return f"{amount / USD:,.2f}"


@contextlib.contextmanager
def _quiet():
    """brownie prints every transaction; the scenario prints its own story."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
