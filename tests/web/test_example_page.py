"""The example page in Debian's headless Chromium against `make up`'s stack: an instant loan (pull), a private
push application decided by the oracle network, the model card and a shipment's trail; the screenshot goes to
reports/example-page.png. The stack binds fixed ports (anvil on 8545 among them, where brownie's own anvil may
run), so it runs in a network namespace of its own, brought up and down by scripts.stack inside it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "reports" / "example-page.png"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 900

SCRIPT = """
set -euo pipefail
ip link set lo up
trap 'python -m scripts.stack down' EXIT
python -m scripts.stack up
node js/example/e2e/drive-page.mjs deployments/31337.json "$SCREENSHOT"
"""


def _namespaces_work() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(["unshare", "-n", "true"]).returncode == 0


def test_example_page_shows_loan_decisions_and_a_shipment_trail():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: make setup installs Debian's chromium")
    if not (ROOT / "js" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("js/node_modules is missing: make setup runs npm ci --prefix js")
    if not _namespaces_work():
        pytest.skip("cannot create a network namespace (unshare -n needs root or CAP_SYS_ADMIN)")
    if (ROOT / ".stack" / "state.json").exists():
        pytest.skip("a stack is already up here (make down first): scripts.stack runs one stack per clone")
    SCREENSHOT.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "SCREENSHOT": str(SCREENSHOT),
    }
    run = subprocess.run(
        ["unshare", "-n", "bash", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "instant loan (pull): ok" in output
    assert "push application: ok" in output
    decisions = next(line for line in output.splitlines() if line.startswith("decisions on the page:"))
    assert "Instant loan: approved" in decisions or "Instant loan: declined" in decisions
    assert "Push application:" in decisions
    assert "outcome" in next(line for line in output.splitlines() if line.startswith("shipment:"))
    trail = next(line for line in output.splitlines() if line.startswith("trail:"))
    # dispatch and deliver paid the coordinator's requestFee: both predictions were requested and answered
    assert "delay risk asked of the oracle" in trail and re.search(r"delay risk \d+\.\d\d %", trail)
    assert re.search(r"condition at checkpoint \d+ asked of the oracle", trail)
    assert re.search(r"condition \d+\.\d\d % \(max", trail)
    assert SCREENSHOT.stat().st_size > 10_000
    assert "stopped page, api" in output  # make down's half: every process the stack started was stopped
