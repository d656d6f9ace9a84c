"""The node's steps one at a time, on a real store with fakes for the model, the signer, the coordinator and the
transaction manager: no chain. (tests/integration runs the same steps against anvil.)"""

from dataclasses import dataclass, field

import coincurve
import pytest

from oracle.chain.coordinator import REQUEST_EXPIRED, ReceiptOutcome
from oracle.chain.reverts import DecodedRevert
from oracle.chain.tx_manager import InFlightLimitReached, TransactionRejected, TxOutcome
from oracle.ml.model import Prediction
from oracle.network.signers import Membership
from oracle.node import BATCH_BASE_GAS, MAX_SENDS, REPORT_GAS, Network, OracleNode
from oracle.privacy.inputs import InputResolver, Resolved
from oracle.store.database import Database
from oracle.store.observations import ObservationStore
from oracle.store.requests import RequestStore, SeenRequest, State
from oracle.store.transactions import TxState
from oracle.types import Request, Status, input_hash

NODE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
COORDINATOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CONSUMER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
MODEL, ARTIFACT, OTHER_MODEL = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
DEADLINE = 2_000_000_000
CALLBACK_GAS = 100_000


def rid(n: int) -> bytes:
    return n.to_bytes(32, "big")


def seen(n: int, features: tuple[int, ...] = (1, 2, 3), model: bytes = MODEL) -> SeenRequest:
    request = Request(model, ARTIFACT, input_hash(features), CONSUMER, 10**15, DEADLINE, CALLBACK_GAS)
    return SeenRequest(rid(n), request, features, 10 + n, (10 + n).to_bytes(32, "big"), 0, b"\x09" * 32)


class SumModel:
    """Answers each row with the sum of its features."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[int, ...]]] = []

    def predict(self, rows: list[tuple[int, ...]]) -> list[Prediction]:
        self.batches.append(list(rows))
        return [Prediction(Status.OK, sum(row)) for row in rows]


class Registry:
    def __init__(self, model: SumModel) -> None:
        self.model = model
        self.names = ("sum",)
        self.asked: list[bytes] = []

    def get(self, model_id: bytes, artifact_hash: bytes) -> SumModel | None:
        self.asked.append(model_id)
        return self.model if (model_id, artifact_hash) == (MODEL, ARTIFACT) else None


class Signer:
    """A signature that shows what was signed: the request id, the value and the status."""

    address = NODE

    def sign_observation(self, request_id: bytes, request: Request, status: Status, value: int) -> bytes:
        return request_id + value.to_bytes(32, "big") + bytes([int(status)])


class Coordinator:
    """Calldata that is the request ids the reports answer, so the fake transaction manager can read them."""

    address = COORDINATOR

    def __init__(self) -> None:
        self.receipts: dict[str, ReceiptOutcome] = {}

    @staticmethod
    def fulfill_batch_calldata(reports: list[tuple], signatures: list[bytes]) -> bytes:
        return b"".join(report[0] for report in reports)

    @staticmethod
    def fulfill_calldata(report: tuple, signatures: bytes) -> bytes:
        return report[0]

    def receipt_outcome(self, receipt: str) -> ReceiptOutcome:
        return self.receipts[receipt]


def rejection(reason: str) -> TransactionRejected:
    return TransactionRejected(COORDINATOR, DecodedRevert(b"\xde\xad\xbe\xef", reason, (), b"\xde\xad\xbe\xef"))


@dataclass
class TxManager:
    """Journals a transaction the way the real one does: `link` writes in the same database transaction."""

    db: Database
    slots: int = 4
    refuse: dict[bytes, str] = field(default_factory=dict)  # request id -> the error its report reverts with
    submitted: list[tuple[str, bytes, int | None]] = field(default_factory=list)
    outcomes: list[TxOutcome] = field(default_factory=list)

    def capacity(self) -> int:
        return self.slots

    def submit(self, to, data, *, gas_limit=None, link=None) -> int:
        for request_id, reason in self.refuse.items():
            if request_id in _ids(data):
                raise rejection(reason)
        if self.slots == 0:
            raise InFlightLimitReached("no slot")
        self.submitted.append((to, data, gas_limit))
        self.slots -= 1
        tx_id = len(self.submitted)
        with self.db.transaction() as work:
            link(tx_id, work)
        return tx_id

    def simulate(self, to: str, data: bytes) -> None:
        if data in self.refuse:
            raise rejection(self.refuse[data])

    def poll(self, head=None) -> list[TxOutcome]:
        outcomes, self.outcomes = self.outcomes, []
        return outcomes


def _ids(data: bytes) -> list[bytes]:
    return [data[i : i + 32] for i in range(0, len(data), 32)]


class Inputs(InputResolver):
    """The real resolver (no attestation policy), refusing the inputs listed in `refused`."""

    def __init__(self) -> None:
        super().__init__(NODE, coincurve.PrivateKey(), None, lambda: 0)
        self.refused: dict[bytes, str] = {}

    def resolve(self, request, features, private) -> Resolved:
        reason = self.refused.get(request.input_hash)
        return Resolved(None, reason) if reason else super().resolve(request, features, private)


@dataclass
class Node:
    node: OracleNode
    store: RequestStore
    observations: ObservationStore
    registry: Registry
    tx: TxManager
    coordinator: Coordinator
    inputs: Inputs


@pytest.fixture
def parts(tmp_path):
    db = Database(tmp_path / "oracle.db")
    store, observations = RequestStore(db), ObservationStore(db)
    registry, tx, coordinator, inputs = Registry(SumModel()), TxManager(db), Coordinator(), Inputs()
    network = Network(observations, lambda: Membership(frozenset({NODE}), 1))
    node = OracleNode(None, coordinator, store, registry, Signer(), None, tx, network, inputs)
    yield Node(node, store, observations, registry, tx, coordinator, inputs)
    db.close()


def signed(parts: Node, *requests: SeenRequest) -> None:
    parts.store.add_seen(requests)
    parts.node.predict_seen()
    parts.node.sign_predicted()


def states(parts: Node, *numbers: int) -> list[State]:
    return [parts.store.get(rid(n)).state for n in numbers]


# ---------------------------------------------------------------- predict_seen
def test_predict_seen_answers_each_request_with_its_models_prediction_in_one_batch(parts):
    parts.store.add_seen([seen(1, (1, 2, 3)), seen(2, (10, 20, 30))])

    assert parts.node.predict_seen() == 2

    answers = [(r.state, r.status, r.value) for r in map(parts.store.get, (rid(1), rid(2)))]
    assert answers == [(State.PREDICTED, Status.OK, 6), (State.PREDICTED, Status.OK, 60)]
    assert parts.registry.model.batches == [[(1, 2, 3), (10, 20, 30)]]


def test_predict_seen_leaves_requests_of_a_model_not_served_seen_and_does_not_ask_again(parts):
    parts.store.add_seen([seen(1, model=OTHER_MODEL)])

    assert parts.node.predict_seen() == 0
    assert parts.node.predict_seen() == 0

    assert states(parts, 1) == [State.SEEN]
    assert parts.registry.asked == [OTHER_MODEL]


def test_predict_seen_answers_a_refused_input_invalid_input_with_its_reason(parts):
    parts.store.add_seen([seen(1, (1, 2, 3)), seen(2, (4, 5, 6))])
    parts.inputs.refused[input_hash((4, 5, 6))] = "out of range"

    assert parts.node.predict_seen() == 2

    refused = parts.store.get(rid(2))
    assert (refused.state, refused.status, refused.value, refused.input_error) == (
        State.PREDICTED,
        Status.INVALID_INPUT,
        0,
        "out of range",
    )
    assert parts.registry.model.batches == [[(1, 2, 3)]]


# ---------------------------------------------------------------- sign_predicted
def test_sign_predicted_signs_keeps_the_observation_and_moves_to_signed(parts):
    parts.store.add_seen([seen(1, (1, 2, 3))])
    parts.node.predict_seen()

    assert parts.node.sign_predicted() == 1

    request = parts.store.get(rid(1))
    signature = Signer().sign_observation(rid(1), request.request, Status.OK, 6)
    assert (request.state, request.signatures) == (State.SIGNED, signature)
    [observation] = parts.observations.for_requests([rid(1)])[rid(1)]
    assert (observation.signer, observation.status, observation.value, observation.signature) == (
        NODE,
        Status.OK,
        6,
        signature,
    )


def test_sign_predicted_with_nothing_predicted_signs_nothing(parts):
    parts.store.add_seen([seen(1)])
    assert parts.node.sign_predicted() == 0
    assert states(parts, 1) == [State.SEEN]


# ---------------------------------------------------------------- expire_overdue
def test_expire_overdue_expires_unsent_requests_within_the_deadline_margin(parts):
    parts.store.add_seen([seen(1)])

    assert parts.node.expire_overdue(DEADLINE - 6) == 0
    assert states(parts, 1) == [State.SEEN]
    assert parts.node.expire_overdue(DEADLINE - 5) == 1  # the default margin: 5 seconds
    assert states(parts, 1) == [State.EXPIRED]


# ---------------------------------------------------------------- send_ready
def test_send_ready_sends_the_quorate_answers_in_one_batch_linked_to_its_transaction(parts):
    signed(parts, seen(1), seen(2))

    assert parts.node.send_ready(30_000_000) == 2

    [(to, data, gas_limit)] = parts.tx.submitted
    assert (to, _ids(data)) == (COORDINATOR, [rid(1), rid(2)])
    assert gas_limit == BATCH_BASE_GAS + 2 * (REPORT_GAS + CALLBACK_GAS * 64 // 63)
    sent = [parts.store.get(rid(n)) for n in (1, 2)]
    assert [(r.state, r.tx_id, r.sends) for r in sent] == [(State.SENT, 1, 1), (State.SENT, 1, 1)]


def test_send_ready_splits_batches_at_the_gas_budget(parts):
    signed(parts, seen(1), seen(2))
    one_report = BATCH_BASE_GAS + REPORT_GAS + CALLBACK_GAS * 64 // 63

    assert parts.node.send_ready(int(one_report / 0.8) + 1) == 2

    assert [_ids(data) for _, data, _ in parts.tx.submitted] == [[rid(1)], [rid(2)]]
    assert [parts.store.get(rid(n)).tx_id for n in (1, 2)] == [1, 2]


def test_send_ready_without_capacity_sends_nothing(parts):
    signed(parts, seen(1))
    parts.tx.slots = 0

    assert parts.node.send_ready(30_000_000) == 0
    assert states(parts, 1) == [State.SIGNED]


def test_send_ready_fails_the_report_the_coordinator_refuses_and_sends_the_others(parts):
    signed(parts, seen(1), seen(2), seen(3))
    parts.tx.refuse = {rid(2): "OracleCoordinatorUnknownModel", rid(3): REQUEST_EXPIRED}

    assert parts.node.send_ready(30_000_000) == 1

    assert states(parts, 1, 2, 3) == [State.SENT, State.FAILED, State.EXPIRED]
    assert "OracleCoordinatorUnknownModel" in parts.store.get(rid(2)).error
    assert [_ids(data) for _, data, _ in parts.tx.submitted] == [[rid(1)]]


# ---------------------------------------------------------------- settle_sent
def test_settle_sent_confirms_the_answers_a_mined_transaction_carried(parts):
    signed(parts, seen(1), seen(2))
    parts.node.send_ready(30_000_000)
    parts.coordinator.receipts["receipt"] = ReceiptOutcome(frozenset({rid(1), rid(2)}), {})
    parts.tx.outcomes = [TxOutcome(1, TxState.MINED, b"\x07" * 32, 42, 50_000, 1, "receipt")]

    assert parts.node.settle_sent() == 2

    settled = [parts.store.get(rid(n)) for n in (1, 2)]
    assert [(r.state, r.settled_block) for r in settled] == [(State.CONFIRMED, 42), (State.CONFIRMED, 42)]


def test_settle_sent_sends_again_the_answers_of_a_dropped_transaction_until_max_sends(parts):
    signed(parts, seen(1))
    for send in range(1, MAX_SENDS + 1):
        parts.tx.slots = 1
        assert parts.node.send_ready(30_000_000) == 1
        parts.tx.outcomes = [TxOutcome(send, TxState.DROPPED, None, None, None, None, None)]
        assert parts.node.settle_sent() == 0
        expected = State.SIGNED if send < MAX_SENDS else State.FAILED
        assert states(parts, 1) == [expected]
    assert parts.store.get(rid(1)).error == f"transaction dropped after {MAX_SENDS} sends"
