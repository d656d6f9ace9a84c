"""A local stack that stays up for frontend work: `make up` (python -m scripts.stack up) and `make down`.

up: anvil on 127.0.0.1:8545 (chain id 31337), every contract deployed (scripts/deploy_stack.py), four oracle
nodes (threshold 3) each serving its API on 127.0.0.1:8101-8104, the HTTP API of node 0 on 127.0.0.1:8000
with a publishable key for the page, and js/example/dist served on 127.0.0.1:5173 when it exists.
deployments/31337.json gets every address, the nodes' keys and URLs and the key; js/example/dist gets a copy.
Every process runs in its own session, recorded in .stack/state.json (pid and start time): down stops exactly
those (SIGTERM to each process group, SIGKILL after a grace period) and nothing else. Logs stay in .stack/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from scripts import deployments_file

ROOT = Path(__file__).resolve().parent.parent
# STACK_DIR and DEPLOYMENTS_DIR: elsewhere than .stack/ and deployments/ (a test's stack beside a developer's)
STATE_DIR = Path(os.environ.get("STACK_DIR") or ROOT / ".stack")
STATE = STATE_DIR / "state.json"
DEPLOYMENTS = Path(os.environ.get("DEPLOYMENTS_DIR") or ROOT / "deployments")
CHAIN_ID = 31337
HOST = "127.0.0.1"
RPC_PORT, API_PORT, PAGE_PORT = 8545, 8000, 5173
NODE_PORTS = (8101, 8102, 8103, 8104)
# anvil as the stack runs it; the deploy also works on a plain `anvil` (scripts/run.py pays its base fee).
# --hardfork prague: the contracts' compile target (brownie-config.yaml), whatever anvil's own default is.
ANVIL_FLAGS = ("--host", HOST, "--port", str(RPC_PORT), "--chain-id", str(CHAIN_ID), "--hardfork", "prague")
PAGE_DIR = ROOT / "js" / "example" / "dist"
PAGE_ORIGINS = (f"http://{HOST}:{PAGE_PORT}", f"http://localhost:{PAGE_PORT}")
STOP_GRACE_SECONDS = 15


class StackError(RuntimeError):
    """The stack cannot start as asked: the message says why and what to do."""


# ---------------------------------------------------------------- process bookkeeping


def _state() -> dict:
    return json.loads(STATE.read_text()) if STATE.exists() else {"processes": []}


def _record(name: str, process: subprocess.Popen, log: Path) -> None:
    state = _state()
    started = psutil.Process(process.pid).create_time()
    state["processes"].append({"name": name, "pid": process.pid, "started": started, "log": str(log)})
    STATE.write_text(json.dumps(state, indent=2) + "\n")  # at once: a failed up still stops what it started


def _ours(entry: dict) -> psutil.Process | None:
    """The recorded process if it still runs (same pid and start time: never a stranger that reused the pid)."""
    try:
        process = psutil.Process(entry["pid"])
        return process if abs(process.create_time() - entry["started"]) < 0.01 else None
    except psutil.NoSuchProcess:
        return None


def _spawn(name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Starts `command` in a session of its own (so that down can stop its whole group), logging to .stack/."""
    log = STATE_DIR / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    _record(name, process, log)
    return process


def running() -> list[tuple[dict, psutil.Process]]:
    return [(entry, process) for entry in _state()["processes"] if (process := _ours(entry)) is not None]


def down() -> list[str]:
    """Stops every recorded process (newest first) and its group; returns their names."""
    stopped = []
    for entry, process in reversed(running()):
        _signal_group(entry["pid"], signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_SECONDS)
        except psutil.TimeoutExpired:
            _signal_group(entry["pid"], signal.SIGKILL)
            process.wait(STOP_GRACE_SECONDS)
        stopped.append(entry["name"])
    STATE.unlink(missing_ok=True)
    return stopped


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # the group's id is the leader's pid (start_new_session)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- waiting


def _wait(condition, timeout: float, what: str, log: Path | None = None, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise StackError(f"{what}: the process exited ({process.returncode}); its log:\n{_tail(log)}")
        time.sleep(0.2)
    raise StackError(f"timed out after {timeout:.0f} s waiting for {what}" + (f"; log:\n{_tail(log)}" if log else ""))


def _tail(log: Path | None, lines: int = 30) -> str:
    return "\n".join(log.read_text().splitlines()[-lines:]) if log and log.exists() else ""


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own local URL)
            return response.status == 200
    except OSError:
        return False


def _rpc(method: str, params: list | None = None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(f"http://{HOST}:{RPC_PORT}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())["result"]


# ---------------------------------------------------------------- up


def _clean_env() -> dict[str, str]:
    """This environment without the caller's ORACLE_* settings (the stack's processes get their own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ORACLE_")}


def _node_env(i: int, deployment: dict, keys: list[bytes]) -> dict[str, str]:
    nodes = deployment["nodes"]
    peers = ",".join(f"{n['signer']}@http://{HOST}:{NODE_PORTS[j]}" for j, n in enumerate(nodes) if j != i)
    workdir = STATE_DIR / f"node{i}"
    workdir.mkdir(parents=True, exist_ok=True)
    return {
        **_clean_env(),
        "ORACLE_RPC_URL": f"http://{HOST}:{RPC_PORT}",
        "ORACLE_COORDINATOR": deployment["contracts"]["OracleCoordinator"],
        "ORACLE_PRIVATE_KEY": "0x" + keys[i].hex(),
        "ORACLE_MODELS_DIR": str(ROOT / "models"),
        "ORACLE_DATABASE": str(workdir / "oracle.db"),
        "ORACLE_START_BLOCK": str(deployment.get("startBlock", 0)),
        "ORACLE_PEERS": peers,
        "ORACLE_SERVE_API": "true",
        "ORACLE_API_PORT": str(NODE_PORTS[i]),
        "ORACLE_POLL_INTERVAL": "0.2",
        "ORACLE_TRANSMIT_STAGGER": "2",
    }


def _build_page() -> None:
    if not (ROOT / "js" / "package.json").exists():
        return
    print("building js/ (npm --prefix js run build) ...", flush=True)
    built = subprocess.run(["npm", "--prefix", "js", "run", "build"], cwd=ROOT, capture_output=True, text=True)
    if built.returncode != 0:
        raise StackError(f"npm --prefix js run build failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")


def _start_anvil() -> None:
    anvil = shutil.which("anvil", path=f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    if anvil is None:
        raise StackError("anvil is not installed: run `make setup`")
    process = _spawn("anvil", [anvil, *ANVIL_FLAGS])
    _wait(lambda: _chain_id() == CHAIN_ID, 30, "anvil to answer", STATE_DIR / "anvil.log", process)


def _chain_id() -> int | None:
    try:
        return int(_rpc("eth_chainId"), 16)
    except OSError:
        return None


def _deploy() -> dict:
    path = DEPLOYMENTS / f"{CHAIN_ID}.json"
    path.unlink(missing_ok=True)  # the previous stack's chain is gone
    print("deploying (python -m scripts.run deploy_stack) ...", flush=True)
    log = STATE_DIR / "deploy.log"
    with log.open("w") as output:
        deployed = subprocess.run(
            [sys.executable, "-m", "scripts.run", "deploy_stack", "--network", "development"],
            cwd=ROOT,
            env=_clean_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if deployed.returncode != 0:
        raise StackError(f"the deploy failed; {log}:\n{_tail(log)}")
    return deployments_file.read(path)


def _uncompressed(public_key: bytes) -> str:
    from coincurve import PublicKey

    return "0x" + PublicKey(public_key).format(compressed=False).hex()


def _start_network(deployment: dict) -> list[dict]:
    from web3 import Web3

    from oracle.chain.coordinator import Coordinator
    from scripts.demo_network import local_signers

    signers = local_signers(len(deployment["nodes"]))
    keys = [bytes(s.key) for s in signers]
    processes = []
    for i in range(len(signers)):
        processes.append(
            _spawn(f"node{i}", [sys.executable, "-m", "oracle", "node", "run"], _node_env(i, deployment, keys))
        )
    for i, process in enumerate(processes):
        log = STATE_DIR / f"node{i}.log"
        _wait(lambda log=log: "node running" in log.read_text(), 120, f"node {i} to start", log, process)
    coordinator = Coordinator(
        Web3(Web3.HTTPProvider(f"http://{HOST}:{RPC_PORT}")), deployment["contracts"]["OracleCoordinator"]
    )
    published = _wait(
        lambda: (found := dict(coordinator.encryption_keys())) and len(found) == len(signers) and found,
        60,
        "every node's encryption key on the coordinator",
    )
    api_env = {
        **_node_env(0, deployment, keys),
        "ORACLE_API_PORT": str(API_PORT),
        "ORACLE_API_WEBHOOK_DELIVERY": "false",
    }
    api = _spawn("api", [sys.executable, "-m", "oracle", "api"], api_env)
    _wait(lambda: _answers(f"http://{HOST}:{API_PORT}/healthz"), 60, "the API", STATE_DIR / "api.log", api)
    deployment["publishableKey"] = _publishable_key(api_env)
    return [
        {
            "signer": s.address,
            "encryptionKey": _uncompressed(published[s.address]),
            "apiUrl": f"http://{HOST}:{NODE_PORTS[i]}",
        }
        for i, s in enumerate(signers)
    ]


def _publishable_key(env: dict[str, str]) -> str:
    origins = [arg for origin in PAGE_ORIGINS for arg in ("--origin", origin)]
    created = subprocess.run(
        [sys.executable, "-m", "oracle", "api-keys", "create", "example page", "--publishable", *origins],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if created.returncode != 0:
        raise StackError(f"oracle api-keys create failed:\n{created.stdout}\n{created.stderr}")
    return created.stdout.strip().splitlines()[-1]


def _serve_page() -> str | None:
    if not PAGE_DIR.is_dir():
        return None
    page = _spawn(
        "page", [sys.executable, "-m", "http.server", str(PAGE_PORT), "--bind", HOST, "--directory", str(PAGE_DIR)]
    )
    url = f"http://{HOST}:{PAGE_PORT}"
    _wait(lambda: _answers(url + "/"), 30, "the page's server", STATE_DIR / "page.log", page)
    return url


def up(page: bool = True) -> dict:
    """Starts everything (the page only if `page`); returns the deployments file's content."""
    if running():
        raise StackError("the stack is already up: `make down` first")
    busy = [p for p in (RPC_PORT, API_PORT, PAGE_PORT, *NODE_PORTS) if not _port_free(p)]
    if busy:
        raise StackError(f"port(s) {', '.join(map(str, busy))} on {HOST} are taken: stop what listens there first")
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    STATE_DIR.mkdir()
    try:
        if page:
            _build_page()
        _start_anvil()
        deployment = _deploy()
        nodes = _start_network(deployment)
        page_url = _serve_page() if page else None
    except BaseException:
        down()
        raise
    fields = {
        "rpcUrl": f"http://{HOST}:{RPC_PORT}",
        "apiUrl": f"http://{HOST}:{API_PORT}",
        "nodes": nodes,
        "publishableKey": deployment["publishableKey"],
    }
    if page_url:
        fields["pageUrl"] = page_url
    path = deployments_file.merge(DEPLOYMENTS / f"{CHAIN_ID}.json", fields)
    result = deployments_file.read(path)
    if page_url:
        deployments_file.write(PAGE_DIR / "deployments.json", result)
    return result


def _print_up(deployment: dict) -> None:
    print(f"stack up: chain {deployment['chainId']} at {deployment['rpcUrl']}, API {deployment['apiUrl']}")
    for name, address in deployment["contracts"].items():
        print(f"  {name:<20} {address}")
    for i, node in enumerate(deployment["nodes"]):
        print(f"  node {i}: signer {node['signer']}, API {node['apiUrl']}")
    print(f"  publishable key (pull mode from {', '.join(PAGE_ORIGINS)}): {deployment['publishableKey']}")
    if "pageUrl" in deployment:
        print(f"  example page: {deployment['pageUrl']}")
    print(f"addresses in deployments/{CHAIN_ID}.json; logs in .stack/; stop everything with `make down`")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--without-page", action="store_true", help="up: neither build nor serve js/example")
    arguments = parser.parse_args()
    command = arguments.command
    if command == "up":
        try:
            _print_up(up(page=not arguments.without_page))
        except StackError as error:
            raise SystemExit(f"make up: {error}") from None
    elif command == "down":
        stopped = down()
        print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")
    else:
        for entry, _ in running():
            print(f"{entry['name']:<8} pid {entry['pid']}  log {entry['log']}")


if __name__ == "__main__":
    main()
