"""kill -9 in the middle of a stream of 300 requests, restart: every request answered exactly once."""

from scripts.node_process import wait_for

TOTAL = 300


def test_kill_9_mid_stream_then_restart_answers_each_request_exactly_once(start_node, requests, held_out_rows, web3):
    first_block = web3.eth.block_number + 1
    rows = [held_out_rows[i % len(held_out_rows)] for i in range(TOTAL)]
    node = start_node(max_batch=20)
    ids = requests.send([features for features, _ in rows[:100]])
    wait_for(lambda: len(requests.answers(first_block)) >= 20, 60, "the first answers", node)

    ids += requests.send([features for features, _ in rows[100:150]])
    node.kill()  # somewhere in the middle of predicting, signing, sending or settling
    killed_at = len(requests.answers(first_block))
    ids += requests.send([features for features, _ in rows[150:220]])

    node.start()
    ids += requests.send([features for features, _ in rows[220:]])
    # a second kill right after the restart, while it catches up
    wait_for(lambda: len(requests.answers(first_block)) > killed_at, 60, "answers after the restart", node)
    node.kill()
    node.start()

    answers = wait_for(
        lambda: (a := requests.answers(first_block)) and len(a) >= TOTAL and a, 120, f"{TOTAL} answers", node
    )
    assert len(set(ids)) == TOTAL
    assert sorted(answers) == sorted(ids)
    assert all(len(answers[i]) == 1 for i in ids), "a request was fulfilled more than once"
    for request_id, (_, expected_pd) in zip(ids, rows, strict=True):
        assert answers[request_id][0][:2] == (0, expected_pd)
    # nothing was ever sent twice: no report was skipped as already answered
    assert requests.skipped(first_block) == []
    assert node.log().count("--- start") == 3
