"""ObservationIntake and ObservationStore: only observations whose signatures recover to a registered
peer are kept, a bad one refuses the whole post, and what each peer did is counted."""

from dataclasses import dataclass, replace

import pytest

from oracle.network.intake import BadSignature, ObservationIntake, ObservationRefused, UnknownSigner
from oracle.network.signers import SignerSetView
from oracle.store.database import Database
from oracle.store.observations import ObservationStore
from tests.oracle.network.fixtures import REQUEST_ID, SEPARATOR, SIGNERS, observe

OWN, PEER, OTHER_PEER, OUTSIDER = SIGNERS[0], SIGNERS[1], SIGNERS[2], SIGNERS[5]


@dataclass(frozen=True)
class FakeSignerSet:
    signers: tuple[str, ...]
    threshold: int


@pytest.fixture
def store(tmp_path):
    db = Database(tmp_path / "oracle.db")
    yield ObservationStore(db)
    db.close()


@pytest.fixture
def woken():
    return []


@pytest.fixture
def intake(store, woken):
    registered = FakeSignerSet(tuple(s.address for s in SIGNERS[:4]), 3)
    view = SignerSetView(lambda max_age: registered)
    return ObservationIntake(store, SEPARATOR, view, OWN.address, on_new=lambda: woken.append(1))


def test_accept_keeps_a_registered_peers_observations_and_wakes_the_node(intake, store, woken):
    assert intake.accept([observe(PEER, 7)]) == PEER.address
    [kept] = store.for_requests([REQUEST_ID])[REQUEST_ID]
    assert (kept.signer, kept.value) == (PEER.address, 7)
    assert woken == [1]
    [stats] = store.peers()
    assert (stats.address, stats.received, stats.refused) == (PEER.address, 1, 0)


def test_accept_refuses_an_unregistered_signer_and_keeps_nothing(intake, store):
    with pytest.raises(UnknownSigner, match="not a registered signer"):
        intake.accept([observe(OUTSIDER, 7)])
    assert store.for_requests([REQUEST_ID]) == {}


def test_accept_refuses_the_nodes_own_signer(intake):
    with pytest.raises(UnknownSigner, match="own signer"):
        intake.accept([observe(OWN, 7)])


def test_accept_refuses_a_whole_post_with_one_forged_value(intake, store):
    forged = replace(observe(PEER, 7), value=8)  # the signature is over 7
    with pytest.raises(BadSignature, match="observation 1"):
        intake.accept([observe(PEER, 7, request_id=b"\x01" * 32), forged])
    assert store.for_requests([b"\x01" * 32, REQUEST_ID]) == {}
    [stats] = store.peers()
    assert stats.refused == 2 and stats.received == 0


def test_accept_refuses_a_signature_claimed_for_another_signer(intake):
    claimed = replace(observe(OTHER_PEER, 7), signer=PEER.address)
    with pytest.raises(BadSignature, match="not 0x"):
        intake.accept([claimed])


def test_accept_refuses_a_post_mixing_signers(intake):
    with pytest.raises(ObservationRefused, match="one signer"):
        intake.accept([observe(PEER, 7), observe(OTHER_PEER, 7)])


def test_a_newer_observation_of_the_same_signer_replaces_the_older(intake, store):
    intake.accept([observe(PEER, 7)])
    intake.accept([observe(PEER, 9)])
    [kept] = store.for_requests([REQUEST_ID])[REQUEST_ID]
    assert kept.value == 9


def test_observations_survive_reopening_the_store(tmp_path):
    path = tmp_path / "node.db"
    db = Database(path)
    ObservationStore(db).add([observe(PEER, 3), observe(OTHER_PEER, 4)])
    db.close()
    reopened = Database(path)
    values = sorted(o.value for o in ObservationStore(reopened).for_requests([REQUEST_ID])[REQUEST_ID])
    reopened.close()
    assert values == [3, 4]
