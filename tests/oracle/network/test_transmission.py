"""TransmitSchedule: one first transmitter per request, the others staggered, the same order on every node."""

from oracle.network.transmission import TransmitSchedule

SIGNERS = ["0x" + f"{i:040x}" for i in (5, 3, 9, 1)]


def test_every_request_has_exactly_one_first_transmitter():
    schedules = [TransmitSchedule(s, 2.0) for s in SIGNERS]
    for n in range(64):
        request_id = n.to_bytes(32, "big")
        ranks = sorted(schedule.rank(request_id, SIGNERS) for schedule in schedules)
        assert ranks == [0, 1, 2, 3]


def test_ranks_do_not_depend_on_the_order_the_signer_set_is_read_in():
    schedule = TransmitSchedule(SIGNERS[2], 2.0)
    request_id = (7).to_bytes(32, "big")
    assert schedule.rank(request_id, SIGNERS) == schedule.rank(request_id, list(reversed(SIGNERS)))


def test_first_transmitter_rotates_across_requests():
    schedule = TransmitSchedule(SIGNERS[0], 2.0)
    firsts = sum(schedule.rank(n.to_bytes(32, "big"), SIGNERS) == 0 for n in range(400))
    assert firsts == 100


def test_due_at_staggers_by_rank():
    schedule = TransmitSchedule(SIGNERS[0], 2.5)
    request_id = (11).to_bytes(32, "big")
    rank = schedule.rank(request_id, SIGNERS)
    assert schedule.due_at(request_id, SIGNERS, 100.0) == 100.0 + 2.5 * rank


def test_a_node_outside_the_signer_set_comes_last():
    schedule = TransmitSchedule("0x" + "ff" * 20, 1.0)
    assert schedule.rank(b"\x00" * 32, SIGNERS) == len(SIGNERS)
