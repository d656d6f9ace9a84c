"""Active and standby nodes for one key on one PostgreSQL database: kill -9 the active one in the middle of a
stream of 300 requests; the standby takes over and every request is answered exactly once."""

from scripts.node_process import NodeProcess, wait_for
from tests.integration.conftest import SIGNER_KEYS

TOTAL = 300


def test_kill_9_the_active_node_and_the_standby_answers_each_request_exactly_once(
    web3, served_coordinator, requests, held_out_rows, postgres_url, tmp_path
):
    first_block = web3.eth.block_number + 1
    rows = [held_out_rows[i % len(held_out_rows)] for i in range(TOTAL)]
    nodes = []
    for name in ("first", "second"):
        workdir = tmp_path / name
        workdir.mkdir()
        nodes.append(
            NodeProcess(
                web3.provider.endpoint_uri,
                served_coordinator.address,
                SIGNER_KEYS[0],
                workdir,
                database=postgres_url,
                max_batch=20,
            )
        )
    active, standby = nodes
    try:
        active.start()
        wait_for(lambda: "active: this process holds the lease" in active.log(), 60, "the first node's lease", active)
        standby.start()
        wait_for(lambda: "standby: another node process holds the lease" in standby.log(), 60, "standby", standby)

        ids = requests.send([features for features, _ in rows[:100]])
        wait_for(lambda: len(requests.answers(first_block)) >= 20, 60, "the first answers", active)
        ids += requests.send([features for features, _ in rows[100:150]])
        active.kill()  # somewhere in the middle of predicting, signing, sending or settling
        ids += requests.send([features for features, _ in rows[150:]])

        answers = wait_for(
            lambda: (a := requests.answers(first_block)) and len(a) >= TOTAL and a, 120, f"{TOTAL} answers", standby
        )
        assert "active: this process holds the lease" in standby.log()
    finally:
        for node in nodes:
            node.stop()
    assert len(set(ids)) == TOTAL
    assert sorted(answers) == sorted(ids)
    assert all(len(answers[i]) == 1 for i in ids), "a request was fulfilled more than once"
    for request_id, (_, expected_pd) in zip(ids, rows, strict=True):
        assert answers[request_id][0][:2] == (0, expected_pd)
    assert requests.skipped(first_block) == []  # never both sent: no report was skipped as already answered
