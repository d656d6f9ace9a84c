"""A reorg (anvil snapshot/revert) is re-processed correctly, and a stuck transaction is re-priced and mined."""

import sqlite3

from scripts.node_process import wait_for


def test_reorg_answers_the_requests_of_the_new_chain(start_node, requests, held_out_rows, web3, rpc):
    node = start_node()
    snapshot = rpc("evm_snapshot")
    old_rows, new_rows = held_out_rows[0:5], held_out_rows[100:105]
    old_ids = requests.send([features for features, _ in old_rows])
    wait_for(lambda: all(i in requests.answers() for i in old_ids), 30, "answers on the old chain", node)

    fork = web3.eth.block_number
    rpc("evm_revert", snapshot)  # the blocks holding the old requests and answers are gone
    rpc("evm_mine")
    new_ids = requests.send([features for features, _ in new_rows])
    # the coordinator numbers requests with a nonce, so the new chain reuses the old ids for new features
    assert new_ids == old_ids

    def new_answers():
        answers = requests.answers()
        return all(i in answers for i in new_ids) and answers

    answers = wait_for(new_answers, 60, "answers on the new chain", node)
    for request_id, (_, expected_pd) in zip(new_ids, new_rows, strict=True):
        assert [a[:2] for a in answers[request_id]] == [(0, expected_pd)]
    assert "reorg" in node.log()
    assert web3.eth.block_number < fork + 20


def test_stuck_transaction_is_repriced_and_mined(start_node, requests, held_out_rows, web3, rpc):
    [request_id] = requests.send([held_out_rows[3][0]])
    rpc("evm_setAutomine", False)
    node = start_node(stuck_after_blocks=2, fee_bump_percent=50)

    def journal(sql):
        try:
            with sqlite3.connect(node.database) as db:
                return db.execute(sql).fetchall()
        except sqlite3.Error:  # the node has not created its database yet
            return []

    # the answer's transaction (the node also journals one publishing its encryption key at start-up)
    wait_for(
        lambda: journal("SELECT 1 FROM transactions t JOIN requests r ON r.tx_id = t.tx_id WHERE t.state = 'pending'"),
        30,
        "the node's answer transaction",
        node,
    )
    # A base fee far above what the node priced its transaction at: it cannot be included as sent.
    rpc("anvil_setNextBlockBaseFeePerGas", hex(200 * 10**9))

    def mined():
        rpc("evm_mine")
        return request_id in requests.answers()

    wait_for(mined, 60, "the re-priced transaction mined", node, interval=0.3)
    wait_for(
        lambda: (
            # the answer's transaction and the one publishing the node's encryption key at start-up
            journal("SELECT DISTINCT state FROM transactions") == [("mined",)]
            and journal("SELECT state FROM requests") == [("confirmed",)]
        ),
        10,
        "the journal and the store to record it",
        node,
    )
    [(attempts,)] = journal("SELECT COUNT(*) FROM tx_attempts WHERE tx_id = (SELECT tx_id FROM requests)")
    assert attempts >= 2, "the stuck transaction was not replaced"
