"""An oracle network in which nothing shares loopback: every node in its own Linux network namespace with its
own address, the chain in a hub namespace, all joined by a bridge that lives in the hub.

    namespace           interface and address                              attached to
    the test's          veth ot<pid>, 10.254.x.2                           port "uplink" of the bridge
    hub ot<pid>hub      bridge "bridge", 10.254.x.1: anvil on :8545
    node ot<pid>n<i>    veth eth0, 10.254.x.(10+i): node i's API on :8000  port "n<i>" of the bridge

The bridge sits in the hub, not in the test's namespace, so that peer traffic never crosses the host's
firewall: with br_netfilter loaded (Docker hosts) a bridge in the root namespace hands bridged packets to
iptables, whose FORWARD policy there may be DROP. The only change to the test's namespace is one veth with an
address from a /24 that no route there covers; every address on it belongs to a namespace created here."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
from pathlib import Path

from web3 import Web3

from scripts.node_process import REPO, NodeProcess, wait_for

API_PORT = 8000
RPC_PORT = 8545
# brownie's flags for its development anvil (see brownie-config.yaml), bound to the hub's bridge address
ANVIL_FLAGS = ("--accounts", "10", "--block-base-fee-per-gas", "0", "--hardfork", "prague", "--gas-limit", "12000000")


class NamespacesUnavailable(RuntimeError):
    """The machine refuses to create network namespaces, links or addresses (no root, no CAP_NET_ADMIN)."""


def ip(arguments: str) -> str:
    """Runs `ip <arguments>` (split on spaces: every name here is a single word) and returns its output."""
    command = ["ip", *arguments.split()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)
    return result.stdout


class Namespaces:
    def __init__(self, nodes: int) -> None:
        tag = f"ot{os.getpid()}"
        self.uplink = tag  # the test namespace's end of its veth into the hub
        self.hub = f"{tag}hub"
        self.nodes = [f"{tag}n{i}" for i in range(nodes)]
        self.subnet: ipaddress.IPv4Network | None = None  # chosen by create()
        self._created: list[str] = []

    def address(self, host: int) -> str:
        return str(self.subnet.network_address + host)

    @property
    def chain_address(self) -> str:
        return self.address(1)

    def node_address(self, i: int) -> str:
        return self.address(10 + i)

    def api_url(self, i: int) -> str:
        return f"http://{self.node_address(i)}:{API_PORT}"

    def exec(self, namespace: str) -> tuple[str, ...]:
        return ("ip", "netns", "exec", namespace)

    def create(self) -> Namespaces:
        try:
            self.subnet = _unrouted_subnet(os.getpid())
            prefix, hub, uplink = self.subnet.prefixlen, self.hub, self.uplink
            self._add_namespace(hub)
            ip(f"-n {hub} link add name bridge type bridge")
            ip(f"-n {hub} addr add {self.chain_address}/{prefix} dev bridge")
            ip(f"-n {hub} link set dev bridge up")
            ip(f"link add name {uplink} type veth peer name uplink netns {hub}")
            ip(f"-n {hub} link set dev uplink master bridge up")
            ip(f"addr add {self.address(2)}/{prefix} dev {uplink}")
            ip(f"link set dev {uplink} up")
            for i, namespace in enumerate(self.nodes):
                self._add_namespace(namespace)
                ip(f"-n {hub} link add name n{i} type veth peer name eth0 netns {namespace}")
                ip(f"-n {hub} link set dev n{i} master bridge up")
                ip(f"-n {namespace} addr add {self.node_address(i)}/{prefix} dev eth0")
                ip(f"-n {namespace} link set dev eth0 up")
            # `ip netns exec` also needs to mount a sysfs, which some sandboxes refuse
            subprocess.run([*self.exec(hub), "true"], check=True, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError) as error:
            self.remove()
            command = " ".join(getattr(error, "cmd", None) or ())
            detail = (getattr(error, "stderr", None) or str(error)).strip()
            raise NamespacesUnavailable(f"cannot build the network namespaces: `{command}`: {detail}") from error
        return self

    def remove(self) -> None:
        """Kills whatever still runs inside (only processes this test started live there), then deletes every
        namespace; their veths and the bridge go with them, and so does the uplink's address."""
        for namespace in reversed(self._created):
            try:
                for pid in ip(f"netns pids {namespace}").split():
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, subprocess.SubprocessError):
                pass
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=10)
        self._created.clear()
        subprocess.run(["ip", "link", "del", "dev", self.uplink], capture_output=True, timeout=10)

    def _add_namespace(self, name: str) -> None:
        ip(f"netns add {name}")
        self._created.append(name)
        ip(f"-n {name} link set dev lo up")


class Anvil:
    """A chain of its own in the hub namespace: brownie's anvil listens on the test namespace's loopback, which
    no other namespace reaches."""

    def __init__(self, namespaces: Namespaces, workdir: Path) -> None:
        self.url = f"http://{namespaces.chain_address}:{RPC_PORT}"
        self.command = [
            *namespaces.exec(namespaces.hub),
            str(REPO / "node_modules" / ".bin" / "anvil"),
            "--host",
            namespaces.chain_address,
            "--port",
            str(RPC_PORT),
            *ANVIL_FLAGS,
        ]
        self.log_path = workdir / "anvil.log"
        self.web3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Anvil:
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._ready, timeout, f"anvil at {self.url}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"anvil exited with {self.process.returncode}:\n{self.log_path.read_text()}")
        try:
            return self.web3.is_connected()
        except Exception:
            return False


def namespaced_nodes(
    namespaces: Namespaces,
    rpc_url: str,
    coordinator: str,
    keys: list[bytes],
    addresses: list[str],
    workdir: Path,
    **settings,
) -> list[NodeProcess]:
    """One node per namespace, serving its API on its own address and reaching its peers at theirs."""
    nodes = []
    for i, key in enumerate(keys):
        peers = ",".join(f"{addresses[j]}@{namespaces.api_url(j)}" for j in range(len(keys)) if j != i)
        directory = workdir / f"node{i}"
        directory.mkdir()
        nodes.append(
            NodeProcess(
                rpc_url,
                coordinator,
                key,
                directory,
                wrapper=namespaces.exec(namespaces.nodes[i]),
                peers=peers,
                serve_api="true",
                api_host=namespaces.node_address(i),
                api_port=API_PORT,
                **settings,
            )
        )
    return nodes


def _unrouted_subnet(pid: int) -> ipaddress.IPv4Network:
    """A 10.254.x.0/24 that no route of the test's namespace covers (x from the pid, so concurrent runs differ).
    The default route does not count: the /24 is more specific, so it never takes this traffic."""
    taken = []
    for line in ip("-4 -o route show table all").splitlines():
        for token in line.split()[:2]:  # "10.0.0.0/8 via ..." or "local 127.0.0.1 dev lo ..."
            if token == "default":
                break
            try:
                taken.append(ipaddress.ip_network(token, strict=False))
                break
            except ValueError:
                continue
    for step in range(254):
        subnet = ipaddress.ip_network(f"10.254.{(pid + step) % 254 + 1}.0/24")
        if not any(subnet.overlaps(route) for route in taken):
            return subnet
    raise NamespacesUnavailable("every 10.254.x.0/24 is already routed in this namespace")
