"""The oracle node as a child process (`python -m oracle node run`) configured through ORACLE_* variables:
how the demo, the integration tests and the benchmarks run the real node. Not part of the `oracle` package:
an operator runs the node itself, not this harness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class NodeProcess:
    def __init__(
        self,
        rpc_url: str,
        coordinator: str,
        private_key: bytes,
        workdir: Path,
        wrapper: Sequence[str] = (),
        **settings,
    ) -> None:
        """wrapper: a command the node runs under, e.g. `ip netns exec <namespace>` (it must exec the node in
        place, so that the signals sent to the child reach the node itself)."""
        self.workdir = workdir
        self.wrapper = tuple(wrapper)
        self.database = workdir / "oracle.db"
        self.log_path = workdir / "node.log"
        self.env = {
            **os.environ,
            "ORACLE_RPC_URL": rpc_url,
            "ORACLE_COORDINATOR": coordinator,
            "ORACLE_PRIVATE_KEY": "0x" + private_key.hex(),
            "ORACLE_MODELS_DIR": str(REPO / "models"),
            "ORACLE_DATABASE": str(self.database),
            "ORACLE_POLL_INTERVAL": "0.05",
            "ORACLE_LOG_LEVEL": "INFO",
            **{f"ORACLE_{k.upper()}": str(v) for k, v in settings.items()},
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> NodeProcess:
        self.starts += 1
        log = self.log_path.open("a")
        log.write(f"--- start {self.starts}\n")
        log.flush()
        self.process = subprocess.Popen(
            [*self.wrapper, sys.executable, "-m", "oracle", "node", "run"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the node."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_for(condition, timeout: float, what: str, node: NodeProcess | None = None, interval: float = 0.1):
    """Polls `condition` until it returns something truthy and returns that. Raises TimeoutError after
    `timeout` seconds, or RuntimeError as soon as `node` exits; either message ends with the node's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if node is not None and not node.alive():
            raise RuntimeError(f"the node exited while waiting for {what}; its log:\n{node.log()[-4000:]}")
        time.sleep(interval)
    tail = f"; the node's log:\n{node.log()[-4000:]}" if node is not None else ""
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}{tail}")
