"""A k-of-n oracle network of real node processes on one machine: each node with its own key, store and
API (served from the node process), talking to every peer through a Link the test can cut."""

from __future__ import annotations

from pathlib import Path

import httpx
from eth_account import Account

from scripts.node_process import NodeProcess, wait_for
from scripts.ports import free_port
from tests.integration.links import Link


class OracleNetwork:
    def __init__(self, rpc_url: str, coordinator: str, keys: list[bytes], workdir: Path, **settings) -> None:
        self.addresses = [Account.from_key(key).address for key in keys]
        self.api_ports = [free_port() for _ in keys]
        # links[i][j]: how node i reaches node j's API
        self.links = [{j: Link(self.api_ports[j]) for j in range(len(keys)) if j != i} for i in range(len(keys))]
        self.nodes = []
        for i, key in enumerate(keys):
            peers = ",".join(f"{self.addresses[j]}@{link.url}" for j, link in self.links[i].items())
            directory = workdir / f"node{i}"
            directory.mkdir()
            self.nodes.append(
                NodeProcess(
                    rpc_url,
                    coordinator,
                    key,
                    directory,
                    peers=peers,
                    serve_api="true",
                    api_port=self.api_ports[i],
                    **settings,
                )
            )

    def start(self) -> OracleNetwork:
        for node in self.nodes:
            node.start()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every running node's API answers."""
        for i, node in enumerate(self.nodes):
            wait_for(lambda i=i: _answers(self.api_url(i) + "/healthz"), timeout, f"node {i}'s API", node)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        for links in self.links:
            for link in links.values():
                link.close()

    def partition(self, i: int) -> None:
        """Node i neither reaches nor is reached by any peer (the chain it still sees)."""
        for j, links in enumerate(self.links):
            for target, link in links.items():
                if i in (j, target):
                    link.cut()

    def heal(self, i: int) -> None:
        for j, links in enumerate(self.links):
            for target, link in links.items():
                if i in (j, target):
                    link.heal()

    def api_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.api_ports[i]}"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
