"""The real node process answers on chain with the model's values, INVALID_INPUT for bad features, and verifies."""

import sqlite3
import subprocess
import sys

from oracle.types import Status
from scripts.node_process import REPO, wait_for


def store_states(node) -> dict[str, int]:
    with sqlite3.connect(node.database) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM requests GROUP BY state").fetchall())


def test_requests_are_answered_with_the_models_values(start_node, requests, held_out_rows, credit_model, requester):
    node = start_node()
    rows = held_out_rows[:40]
    invalid = [[10**9] * 11, [1, 2, 3], [-5] * 11]
    ids = requests.send([features for features, _ in rows] + invalid)

    answers = wait_for(lambda: (a := requests.answers()) and len(a) >= len(ids) and a, 60, "43 answers", node)

    assert all(len(answers[i]) == 1 for i in ids)
    for request_id, (features, expected_pd) in zip(ids, rows, strict=False):
        status, value, _ = answers[request_id][0]
        assert (Status(status), value) == (Status.OK, expected_pd)
        assert credit_model.predict([features])[0].value == value
    for request_id in ids[len(rows) :]:
        assert answers[request_id][0][:2] == (Status.INVALID_INPUT, 0)
    assert requester.answers() == len(ids)
    wait_for(lambda: store_states(node) == {"confirmed": len(ids)}, 10, "every request confirmed in the store", node)


def test_oracle_verify_replays_a_fulfilled_request(start_node, requests, held_out_rows, tmp_path):
    node = start_node()
    [request_id] = requests.send([held_out_rows[7][0]])
    wait_for(lambda: request_id in requests.answers(), 30, "the answer", node)

    verified = subprocess.run(
        [sys.executable, "-m", "oracle", "verify", "0x" + request_id.hex()],
        cwd=REPO,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "MATCH" in verified.stdout and f"OK {held_out_rows[7][1]}" in verified.stdout

    # The same answer checked against a tampered artifact: the file no longer has the committed hash.
    tampered = tmp_path / "models" / "credit-risk"
    tampered.mkdir(parents=True)
    for item in (REPO / "models" / "credit-risk").iterdir():
        (tampered / item.name).write_bytes(item.read_bytes())
    (tampered / "model.skops").write_bytes((tampered / "model.skops").read_bytes() + b"\0")
    refused = subprocess.run(
        [sys.executable, "-m", "oracle", "verify", "0x" + request_id.hex()],
        cwd=REPO,
        env={**node.env, "ORACLE_MODELS_DIR": str(tmp_path / "models")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "sha256" in refused.stdout
    assert node.env["ORACLE_PRIVATE_KEY"][2:] not in verified.stdout + refused.stdout + node.log()


def test_node_refuses_a_model_whose_registration_differs(
    start_node, requests, served_coordinator, owner, held_out_rows
):
    from tests.integration.conftest import CREDIT_RISK

    served_coordinator.updateModel(CREDIT_RISK, b"\x11" * 32, b"\x22" * 32, {"from": owner})
    node = start_node()
    [request_id] = requests.send([held_out_rows[0][0]])
    wait_for(lambda: "not serving model credit-risk" in node.log(), 30, "the refusal in the log", node)
    wait_for(lambda: store_states(node).get("seen") == 1, 10, "the request stored as seen", node)
    assert request_id not in requests.answers()
