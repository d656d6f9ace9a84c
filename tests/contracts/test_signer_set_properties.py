"""Stateful property test: any sequence of signer-set changes keeps the set and threshold consistent.

brownie 1.22.2's own `state_machine` fixture cannot subclass its compiled base class, so this drives
hypothesis' RuleBasedStateMachine directly and reverts the chain after every example.
"""

import brownie
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.helpers import custom_error

CANDIDATES = [f"0x{i:040x}" for i in range(1, 9)]


def signer_set_machine(coordinator, owner, chain):
    class SignerSetMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            chain.snapshot()
            self.members = [CANDIDATES[0]]
            self.threshold = 1

        def teardown(self):
            chain.revert()

        @rule(index=st.integers(0, len(CANDIDATES) - 1))
        def add(self, index):
            signer = CANDIDATES[index]
            if signer in self.members:
                with brownie.reverts(custom_error(coordinator, "OracleCoordinatorSignerExists", signer)):
                    coordinator.addSigner(signer, {"from": owner})
            else:
                coordinator.addSigner(signer, {"from": owner})
                self.members.append(signer)

        @rule(index=st.integers(0, len(CANDIDATES) - 1))
        def remove(self, index):
            signer = CANDIDATES[index]
            remaining = len(self.members) - 1
            if signer not in self.members:
                with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", signer)):
                    coordinator.removeSigner(signer, {"from": owner})
            elif remaining < self.threshold:
                expected = custom_error(coordinator, "OracleCoordinatorInvalidThreshold", self.threshold, remaining)
                with brownie.reverts(expected):
                    coordinator.removeSigner(signer, {"from": owner})
            else:
                coordinator.removeSigner(signer, {"from": owner})
                self.members.remove(signer)

        @rule(threshold=st.integers(0, len(CANDIDATES) + 1))
        def set_threshold(self, threshold):
            if threshold == 0 or threshold > len(self.members):
                expected = custom_error(coordinator, "OracleCoordinatorInvalidThreshold", threshold, len(self.members))
                with brownie.reverts(expected):
                    coordinator.setThreshold(threshold, {"from": owner})
            else:
                coordinator.setThreshold(threshold, {"from": owner})
                self.threshold = threshold

        @invariant()
        def set_matches_model(self):
            on_chain = [str(a) for a in coordinator.signers()]
            assert sorted(on_chain) == sorted(self.members)
            assert len(set(on_chain)) == len(on_chain)

        @invariant()
        def threshold_within_set(self):
            assert int(coordinator.threshold()) == self.threshold
            assert 1 <= self.threshold <= len(self.members)

        @invariant()
        def membership_flags_agree(self):
            for candidate in CANDIDATES:
                assert coordinator.isSigner(candidate) == (candidate in self.members)

    return SignerSetMachine


def test_signer_set_stays_consistent(OracleCoordinator, owner, chain):
    coordinator = OracleCoordinator.deploy(owner, [CANDIDATES[0]], 1, {"from": owner})
    machine = signer_set_machine(coordinator, owner, chain)
    run_state_machine_as_test(machine, settings=settings(max_examples=15, stateful_step_count=12, deadline=None))
