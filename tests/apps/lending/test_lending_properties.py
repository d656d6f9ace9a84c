"""Stateful property test: under any sequence of deposits, withdrawals, applications, draws, repayments, price
moves, time and liquidations, the pool's assets cover its shares and its books add up, nobody draws more than
approved, and accrued interest never decreases.

brownie 1.22.2's own `state_machine` is broken, so this drives hypothesis' RuleBasedStateMachine directly and
reverts the chain after every example (the pattern of tests/contracts/test_signer_set_properties.py).
"""

import brownie
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.apps.lending.lending import (
    BPS,
    COLLATERAL_UNIT,
    INITIAL_PRICE,
    MAX_UINT,
    POLICY,
    PRICE_DECIMALS,
    SCALE,
    USD,
    LoanStatus,
    answer,
    apply_for_loan,
    loan_of,
)

DRAW_REFUSED = "LendingPool(ExceedsCreditLine|ExceedsLtv|InsufficientLiquidity|DrawWindowClosed|LoanNotActive): .*"


def lending_machine(
    pool,
    stablecoin,
    collateral,
    feed,
    coordinator,
    signers,
    relayer,
    owner,
    lenders,
    borrowers,
    liquidator,
    features,
    chain,
):
    class LendingMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            chain.snapshot()
            self.loans = []  # (loan id, borrower)
            self.interest_seen = {}
            self.price = INITIAL_PRICE
            self.cash = stablecoin.balanceOf(pool)

        def teardown(self):
            chain.revert()

        # ------------------------------------------------------------ lenders

        @rule(lender=st.sampled_from(range(len(lenders))), amount=st.integers(1, 50_000 * USD))
        def deposit(self, lender, amount):
            pool.deposit(amount, lenders[lender], {"from": lenders[lender]})
            self.cash += amount

        @rule(lender=st.sampled_from(range(len(lenders))), percent=st.integers(1, 100))
        def withdraw(self, lender, percent):
            account = lenders[lender]
            amount = pool.maxWithdraw(account) * percent // 100
            if amount:
                pool.withdraw(amount, account, account, {"from": account})
                self.cash -= amount

        # ------------------------------------------------------------ borrowers

        @initialize(terms=st.lists(st.tuples(st.integers(0, 2_000), st.integers(1, 100)), min_size=1, max_size=3))
        def open_loans(self, terms):
            """Starts every example with approved loans (PD, percent of the line drawn), 1 mETH for 1,000 mUSD each."""
            for index, (pd_bps, percent) in enumerate(terms):
                account = borrowers[index % len(borrowers)]
                loan_id, request, _ = apply_for_loan(pool, account, features, COLLATERAL_UNIT, 1_000 * USD)
                answer(coordinator, signers, relayer, loan_id, request, pd_bps)
                self.loans.append((loan_id, account))
                amount = 10 * USD * percent
                pool.draw(loan_id, amount, {"from": account})
                self.cash -= amount

        @rule(
            borrower=st.sampled_from(range(len(borrowers))),
            pd_bps=st.integers(0, 3_000),
            requested=st.integers(1, 5_000 * USD),
            collateral_amount=st.integers(COLLATERAL_UNIT // 100, 5 * COLLATERAL_UNIT),
        )
        def apply(self, borrower, pd_bps, requested, collateral_amount):
            account = borrowers[borrower]
            loan_id, request, _ = apply_for_loan(pool, account, features, collateral_amount, requested)
            answer(coordinator, signers, relayer, loan_id, request, pd_bps)
            self.loans.append((loan_id, account))

        @rule(pick=st.integers(0, 10**6), percent=st.integers(1, 130))
        def draw(self, pick, percent):
            """Draws a share of what is available (up to 99 %), or tries to overdraw it (from 102 %)."""
            loan_id, account = self.loans[pick % len(self.loans)]
            available = pool.availableToDraw(loan_id)
            amount = available * percent // 100
            if percent <= 99 and amount:
                pool.draw(loan_id, amount, {"from": account})
                self.cash -= amount
                after = loan_of(pool, loan_id)
                assert after["drawnAmount"] <= after["requestedAmount"]
                max_debt = pool.collateralValue(after["collateralAmount"]) * after["ltvBps"] // BPS
                assert pool.debtOf(loan_id) <= max_debt
            elif percent >= 102:
                with brownie.reverts(revert_pattern=DRAW_REFUSED):
                    pool.draw(loan_id, amount + 1, {"from": account})

        @rule(pick=st.integers(0, 10**6), percent=st.integers(1, 110))
        def repay(self, pick, percent):
            loan_id, account = self.loans[pick % len(self.loans)]
            debt = pool.debtOf(loan_id)
            if loan_of(pool, loan_id)["status"] != LoanStatus.ACTIVE or debt == 0:
                return
            amount = MAX_UINT if percent > 100 else max(1, debt * percent // 100)
            tx = pool.repay(loan_id, amount, {"from": account})
            self.cash += tx.return_value
            if tx.events["LoanRepaid"]["remainingDebt"] == 0:
                assert loan_of(pool, loan_id)["status"] == LoanStatus.REPAID

        @rule(pick=st.integers(0, 10**6))
        def liquidate(self, pick):
            loan_id, _ = self.loans[pick % len(self.loans)]
            if pool.isLiquidatable(loan_id):
                repaid, _ = pool.liquidate(loan_id, {"from": liquidator}).return_value
                self.cash += repaid
                assert loan_of(pool, loan_id)["status"] == LoanStatus.LIQUIDATED
            elif pool.debtOf(loan_id):
                with brownie.reverts(revert_pattern="LendingPoolLoanHealthy: .*"):
                    pool.liquidate(loan_id, {"from": liquidator})

        # ------------------------------------------------------------ the world

        @rule(
            seconds=st.integers(0, 3 * 24 * 3600), dollars=st.one_of(st.integers(50, 1_200), st.integers(1_200, 4_000))
        )
        def advance(self, seconds, dollars):
            """Time passes and the collateral's price moves, half the time into liquidation territory (from 2,000)."""
            chain.sleep(seconds)
            self.price = dollars * 10**PRICE_DECIMALS
            feed.setAnswer(self.price, {"from": owner})

        # ------------------------------------------------------------ invariants

        @invariant()
        def assets_cover_shares(self):
            assert pool.convertToAssets(pool.totalSupply()) <= pool.totalAssets()

        @invariant()
        def books_add_up(self):
            now = chain[-1].timestamp
            scaled = 0
            held = 0
            for loan_id, _ in self.loans:
                loan = loan_of(pool, loan_id)
                scaled += loan["debt"] * SCALE + loan["debt"] * loan["aprBps"] * (now - loan["lastAccrualAt"])
                held += loan["collateralAmount"]
                assert loan["drawnAmount"] <= loan["requestedAmount"]
                if loan["pdBps"] > POLICY.max_pd_bps:
                    assert (loan["status"], loan["drawnAmount"]) == (LoanStatus.REJECTED, 0)
                if loan["status"] != LoanStatus.ACTIVE:
                    assert loan["debt"] == 0
            # collateral a liquidation left to its borrower stays in the pool until withdrawCollateral
            held += sum(pool.collateralCreditOf(borrower) for borrower in {account for _, account in self.loans})
            cash = stablecoin.balanceOf(pool)
            assert cash == self.cash
            assert pool.totalDebt() == scaled // SCALE
            assert pool.totalAssets() == cash + scaled // SCALE
            assert collateral.balanceOf(pool) == held

        @invariant()
        def accrued_interest_never_decreases(self):
            for loan_id, _ in self.loans:
                accrued = pool.accruedInterestOf(loan_id)
                assert accrued >= self.interest_seen.get(loan_id, 0)
                self.interest_seen[loan_id] = accrued

    return LendingMachine


def test_pool_invariants_hold(
    pool, stablecoin, collateral, feed, coordinator, oracle_signers, relayer, owner, accounts, rows, chain
):
    lenders = [accounts[3], accounts[6]]
    borrowers = [accounts[4], accounts[7]]
    liquidator = accounts[5]
    for account in lenders + borrowers + [liquidator]:
        stablecoin.mint(account, 10_000_000 * USD, {"from": account})
        stablecoin.approve(pool, MAX_UINT, {"from": account})
    for account in borrowers:
        collateral.mint(account, 1_000 * COLLATERAL_UNIT, {"from": account})
        collateral.approve(pool, MAX_UINT, {"from": account})
    pool.deposit(100_000 * USD, lenders[0], {"from": lenders[0]})

    machine = lending_machine(
        pool, stablecoin, collateral, feed, coordinator, oracle_signers[:1], relayer, owner,
        lenders, borrowers, liquidator, rows[0].features, chain,
    )  # fmt: skip
    run_state_machine_as_test(
        machine, settings=settings(max_examples=20, stateful_step_count=10, deadline=None, database=None)
    )
