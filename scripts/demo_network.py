"""The demo's oracle network: n real node processes on this machine, each with its own key (anvil's public
development keys), store and API (served from the node process), every node a peer of every other."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from scripts.node_process import NodeProcess, wait_for
from scripts.ports import free_port

# anvil's development mnemonic: public, so its keys only ever sign on a local chain (scripts.deployment.is_local).
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_ACCOUNTS = 10


def local_signers(count: int) -> list[LocalAccount]:
    """The last `count` of anvil's ten development accounts (the first ones deploy and use the apps)."""
    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        for index in range(ANVIL_ACCOUNTS - count, ANVIL_ACCOUNTS)
    ]


class DemoNetwork:
    def __init__(self, rpc_url: str, coordinator: str, signers: list[LocalAccount], **settings) -> None:
        self.signers = signers
        self.ports = [free_port() for _ in signers]
        self.nodes: list[NodeProcess] = []
        for i, signer in enumerate(signers):
            peers = ",".join(f"{other.address}@{self.api_url(j)}" for j, other in enumerate(signers) if j != i)
            workdir = Path(tempfile.mkdtemp(prefix=f"oracle-demo-node{i}-"))
            self.nodes.append(
                NodeProcess(
                    rpc_url,
                    coordinator,
                    bytes(signer.key),
                    workdir,
                    peers=peers,
                    serve_api="true",
                    api_port=self.ports[i],
                    **settings,
                )
            )

    def api_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def start(self, i: int | None = None) -> None:
        for node in self.nodes if i is None else [self.nodes[i]]:
            node.start()
        for node in self.nodes if i is None else [self.nodes[i]]:
            wait_for(lambda n=node: "node running" in n.log(), 90, "the node to start", node)

    def stop(self, i: int | None = None) -> None:
        for node in self.nodes if i is None else [self.nodes[i]]:
            node.stop()

    def states(self, i: int) -> dict[str, int]:
        with sqlite3.connect(self.nodes[i].database) as db:
            return dict(db.execute("SELECT state, COUNT(*) FROM requests GROUP BY state").fetchall())
