"""Stateful property test: whatever buyers, suppliers, the oracle, the clock and the arbiter do, the escrow
holds exactly what it owes, every payout matches a Python model of the terms, and none is paid twice.

Drives hypothesis' RuleBasedStateMachine directly (brownie 1.22.2's `state_machine` is broken here) and
reverts the chain after every example. With few examples hypothesis keeps runs short, so every run starts
with two or three shipments taken through random parts of their lives (and `ship` adds more); the other
rules move or settle any shipment, let time pass, withdraw, and try to settle a shipment twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import brownie
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from oracle.types import Status
from tests.apps.supply.shipments import DISPUTE_WINDOW_SECONDS, Outcome, State
from tests.helpers import after_deadline, custom_error, plain

# Rules that depend on the clock only pick shipments at least this far from a boundary, since the next
# block's timestamp is only known once it is mined.
CLOCK_MARGIN_SECONDS = 120
OPEN_STATES = {State.CREATED, State.IN_TRANSIT, State.AWAITING_CONDITION, State.PROPOSED, State.DISPUTED}
LIFE_STAGES = ["created", "cancelled", "in transit", "proposed", "disputed", "finalized", "arbitrated"]

prices = st.integers(1, 10**21)
bps = st.integers(0, 10_000)
answer_values = st.integers(-1, 10_001)
answer_statuses = st.sampled_from([Status.OK, Status.OK, Status.OK, Status.INVALID_INPUT, Status.EXPIRED])
feature_rows = st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=6)
lives = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(LIFE_STAGES),
        "price": prices,
        "sla_hours": st.integers(1, 96),
        "max_condition_bps": bps,
        "penalty_bps": bps,
        "risk": st.tuples(answer_statuses, answer_values),
        "condition": st.tuples(answer_statuses, answer_values),
        "features": feature_rows,
        "late": st.booleans(),
        "by_supplier": st.booleans(),
        "supplier_bps": bps,
    }
)


@dataclass
class Expected:
    """The model of one shipment."""

    shipment_id: int
    price: int
    sla_deadline: int
    max_condition_bps: int
    late_penalty_bps: int
    state: int = State.CREATED
    outcome: int = Outcome.NONE
    dispute_ends_at: int = 0


def expected_outcome(shipment: Expected, delivered_at: int, status: Status, value: int) -> int:
    if status != Status.OK or not 0 <= value <= 10_000:
        return Outcome.ORACLE_FAILED
    if value > shipment.max_condition_bps:
        return Outcome.SPOILED
    return Outcome.LATE_PENALTY if delivered_at > shipment.sla_deadline else Outcome.RELEASED


def expected_split(shipment: Expected, outcome: int, supplier_bps: int = 0) -> tuple[int, int]:
    """(supplier, buyer) shares of the price."""
    price = shipment.price
    supplier = {
        Outcome.RELEASED: price,
        Outcome.LATE_PENALTY: price - price * shipment.late_penalty_bps // 10_000,
        Outcome.ARBITRATED: price * supplier_bps // 10_000,
    }.get(outcome, 0)
    return supplier, price - supplier


def escrow_machine(driver, escrow, token, coordinator, chain):
    buyer, supplier, carrier = driver.buyer, driver.supplier, driver.carrier
    payees = (buyer, supplier)

    class EscrowMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            chain.snapshot()
            self.shipments: list[Expected] = []
            self.entitled = {a.address: 0 for a in payees}  # every credit the model expects, ever
            self.withdrawn = {a.address: 0 for a in payees}
            self.fee_refunds = {a.address: 0 for a in (supplier, carrier)}

        def teardown(self):
            chain.revert()

        # ------------------------------------------------------------ the model's view of time

        def now(self) -> int:
            return chain[-1].timestamp

        def in_state(self, *states: int) -> list[Expected]:
            return [s for s in self.shipments if s.state in states]

        def disputable(self) -> list[Expected]:
            now = self.now()
            return [
                s
                for s in self.shipments
                if (s.state == State.PROPOSED and now + CLOCK_MARGIN_SECONDS < s.dispute_ends_at)
                or (
                    s.state == State.IN_TRANSIT and now > s.sla_deadline + DISPUTE_WINDOW_SECONDS + CLOCK_MARGIN_SECONDS
                )
            ]

        def finalizable(self) -> list[Expected]:
            now = self.now()
            return [
                s
                for s in self.shipments
                if s.state == State.PROPOSED and now > s.dispute_ends_at + CLOCK_MARGIN_SECONDS
            ]

        # ------------------------------------------------------------ one step of a shipment's life

        def create(self, price, sla_hours, max_condition_bps, late_penalty_bps) -> Expected:
            shipment_id, tx = driver.create(
                sla_hours * 3_600, price=price, max_condition_bps=max_condition_bps, late_penalty_bps=late_penalty_bps
            )
            sla_deadline = int(tx.events["ShipmentCreated"]["terms"][4])
            shipment = Expected(shipment_id, price, sla_deadline, max_condition_bps, late_penalty_bps)
            self.shipments.append(shipment)
            return shipment

        def cancel(self, shipment: Expected, by_supplier: bool) -> None:
            tx = escrow.cancel(shipment.shipment_id, {"from": supplier if by_supplier else buyer})
            self.settled(shipment, tx, Outcome.CANCELLED)

        def dispatch(self, shipment: Expected, status: Status, risk_bps: int) -> None:
            request_tx = driver.dispatch(shipment.shipment_id)
            shipment.state = State.IN_TRANSIT
            if status == Status.EXPIRED:
                tx = driver.expire(request_tx)
                self.fee_refunds[supplier.address] += int(request_tx.value)
            else:
                tx = driver.answer(request_tx, risk_bps, status)
            assert "CallbackFailed" not in tx.events
            usable = status == Status.OK and 0 <= risk_bps <= 10_000
            assert ("DelayRiskAssessed" in tx.events) == usable
            assert ("DelayRiskUnavailable" in tx.events) == (not usable)

        def deliver(self, shipment: Expected, status: Status, condition_bps: int, features, late: bool) -> None:
            driver.checkpoint(shipment.shipment_id, features)
            if late:
                after_deadline(chain, shipment.sla_deadline)
            request_tx = driver.deliver(shipment.shipment_id, features)
            if status == Status.EXPIRED:
                tx = driver.expire(request_tx)
                self.fee_refunds[carrier.address] += int(request_tx.value)
            else:
                tx = driver.answer(request_tx, condition_bps, status)
            assert "CallbackFailed" not in tx.events
            outcome = expected_outcome(shipment, request_tx.timestamp, status, condition_bps)
            proposed = tx.events["OutcomeProposed"]
            assert plain([proposed["outcome"], proposed["supplierAmount"], proposed["buyerAmount"]]) == [
                outcome,
                *expected_split(shipment, outcome),
            ]
            assert proposed["disputeEndsAt"] == tx.timestamp + DISPUTE_WINDOW_SECONDS
            shipment.state, shipment.outcome = State.PROPOSED, outcome
            shipment.dispute_ends_at = int(proposed["disputeEndsAt"])

        def dispute(self, shipment: Expected, by_supplier: bool) -> None:
            escrow.dispute(shipment.shipment_id, "property test", {"from": supplier if by_supplier else buyer})
            shipment.state = State.DISPUTED

        def resolve(self, shipment: Expected, supplier_bps: int) -> None:
            tx = escrow.resolveDispute(shipment.shipment_id, supplier_bps, {"from": driver.arbiter})
            self.settled(shipment, tx, Outcome.ARBITRATED, supplier_bps)

        def finalize(self, shipment: Expected) -> None:
            tx = escrow.finalize(shipment.shipment_id, {"from": driver.relayer})
            self.settled(shipment, tx, shipment.outcome)

        def settled(self, shipment: Expected, tx, outcome: int, supplier_bps: int = 0) -> None:
            supplier_amount, buyer_amount = expected_split(shipment, outcome, supplier_bps)
            settled = tx.events["ShipmentSettled"]
            assert len(settled) == 1
            assert plain([settled["outcome"], settled["supplierAmount"], settled["buyerAmount"]]) == [
                outcome,
                supplier_amount,
                buyer_amount,
            ]
            self.entitled[supplier.address] += supplier_amount
            self.entitled[buyer.address] += buyer_amount
            shipment.state, shipment.outcome = State.SETTLED, outcome

        def live(self, life: dict) -> None:
            """A new shipment taken through its life up to `life["stage"]`."""
            shipment = self.create(life["price"], life["sla_hours"], life["max_condition_bps"], life["penalty_bps"])
            stage = life["stage"]
            if stage == "created":
                return
            if stage == "cancelled":
                self.cancel(shipment, life["by_supplier"])
                return
            self.dispatch(shipment, *life["risk"])
            if stage == "in transit":
                return
            self.deliver(shipment, *life["condition"], life["features"], life["late"])
            if stage == "proposed":
                return
            if stage == "finalized":
                after_deadline(chain, shipment.dispute_ends_at)
                self.finalize(shipment)
                return
            self.dispute(shipment, life["by_supplier"])
            if stage == "arbitrated":
                self.resolve(shipment, life["supplier_bps"])

        # ------------------------------------------------------------ rules

        @initialize(lives=st.lists(lives, min_size=2, max_size=3))
        def start(self, lives):
            for life in lives:
                self.live(life)

        @rule(life=lives)
        def ship(self, life):
            self.live(life)

        @precondition(lambda self: self.in_state(State.CREATED))
        @rule(data=st.data(), by_supplier=st.booleans())
        def cancel_any(self, data, by_supplier):
            self.cancel(data.draw(st.sampled_from(self.in_state(State.CREATED))), by_supplier)

        @precondition(lambda self: self.in_state(State.CREATED))
        @rule(data=st.data(), risk=st.tuples(answer_statuses, answer_values))
        def dispatch_any(self, data, risk):
            self.dispatch(data.draw(st.sampled_from(self.in_state(State.CREATED))), *risk)

        @precondition(lambda self: self.in_state(State.IN_TRANSIT))
        @rule(data=st.data(), condition=st.tuples(answer_statuses, answer_values), features=feature_rows)
        def deliver_any(self, data, condition, features):
            self.deliver(data.draw(st.sampled_from(self.in_state(State.IN_TRANSIT))), *condition, features, False)

        @precondition(lambda self: self.disputable())
        @rule(data=st.data(), by_supplier=st.booleans())
        def dispute_any(self, data, by_supplier):
            self.dispute(data.draw(st.sampled_from(self.disputable())), by_supplier)

        @precondition(lambda self: self.in_state(State.DISPUTED))
        @rule(data=st.data(), supplier_bps=bps)
        def resolve_any(self, data, supplier_bps):
            self.resolve(data.draw(st.sampled_from(self.in_state(State.DISPUTED))), supplier_bps)

        @precondition(lambda self: self.finalizable())
        @rule(data=st.data())
        def finalize_any(self, data):
            self.finalize(data.draw(st.sampled_from(self.finalizable())))

        @precondition(lambda self: self.in_state(State.SETTLED))
        @rule(data=st.data(), action=st.sampled_from(["cancel", "finalize", "resolve", "dispute"]))
        def settle_again(self, data, action):
            shipment_id = data.draw(st.sampled_from(self.in_state(State.SETTLED))).shipment_id
            calls = {
                "cancel": lambda: escrow.cancel(shipment_id, {"from": buyer}),
                "finalize": lambda: escrow.finalize(shipment_id, {"from": driver.relayer}),
                "resolve": lambda: escrow.resolveDispute(shipment_id, 10_000, {"from": driver.arbiter}),
                "dispute": lambda: escrow.dispute(shipment_id, "", {"from": supplier}),
            }
            with brownie.reverts(custom_error(escrow, "SupplyChainEscrowWrongState", shipment_id, State.SETTLED)):
                calls[action]()

        @rule(seconds=st.integers(1, 5 * 86_400))
        def wait(self, seconds):
            after_deadline(chain, self.now() + seconds - 1)

        @rule(by_supplier=st.booleans())
        def withdraw(self, by_supplier):
            payee = supplier if by_supplier else buyer
            owed = self.entitled[payee.address] - self.withdrawn[payee.address]
            if owed == 0:
                with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", payee.address)):
                    escrow.withdraw(token, payee, {"from": payee})
                return
            before = token.balanceOf(payee)
            escrow.withdraw(token, payee, {"from": payee})
            assert token.balanceOf(payee) - before == owed
            self.withdrawn[payee.address] += owed

        @rule(by_supplier=st.booleans())
        def withdraw_fee_refund(self, by_supplier):
            payer = supplier if by_supplier else carrier
            owed = self.fee_refunds[payer.address]
            if owed == 0:
                with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", payer.address)):
                    escrow.withdrawFeeRefund(payer, {"from": payer})
                return
            tx = escrow.withdrawFeeRefund(payer, {"from": payer})
            assert tx.events["FeeRefundWithdrawn"]["amountWei"] == owed
            self.fee_refunds[payer.address] = 0

        # ------------------------------------------------------------ invariants

        @invariant()
        def holds_exactly_what_it_owes(self):
            open_escrow = sum(s.price for s in self.shipments if s.state in OPEN_STATES)
            credits = sum(int(escrow.creditOf(token, a)) for a in (buyer, supplier, carrier))
            assert token.balanceOf(escrow) == open_escrow + credits

        @invariant()
        def every_payee_credited_exactly_what_the_terms_give(self):
            for payee in payees:
                credit = int(escrow.creditOf(token, payee))
                assert credit + self.withdrawn[payee.address] == self.entitled[payee.address]
            assert escrow.creditOf(token, carrier) == 0

        @invariant()
        def refunded_fees_are_covered(self):
            for payer, owed in self.fee_refunds.items():
                assert escrow.feeRefundOf(payer) == owed
            assert escrow.balance() + coordinator.balanceOf(escrow) == sum(self.fee_refunds.values())

        @invariant()
        def states_match_model(self):
            for shipment in self.shipments:
                stored = escrow.shipment(shipment.shipment_id)
                assert (stored["state"], stored["outcome"]) == (shipment.state, shipment.outcome)

    return EscrowMachine


def test_escrow_accounting_holds_under_any_sequence(driver, escrow, token, coordinator, chain):
    machine = escrow_machine(driver, escrow, token, coordinator, chain)
    run_state_machine_as_test(machine, settings=settings(max_examples=12, stateful_step_count=12, deadline=None))
