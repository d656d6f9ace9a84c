"""Runs one of the brownie scripts here: `python -m scripts.run demo [--network development]`.

Does what `brownie run scripts/<name>.py` does (load and compile the project, connect to the network,
call the script's `main()`) with three differences:
- the script is imported as `scripts.<name>`: brownie 1.22 joins every directory of the script's absolute path
  with dots, so it fails in any checkout whose path holds a dot, such as the `/tmp/tmp.XXXXXXXXXX` directories
  `mktemp -d` makes;
- the project gets its name here (scripts.project), not from its folder's, which brownie refuses when it starts
  with a digit (`BadProjectName`);
- on a development network, transactions pay the chain's base fee: brownie's development settings send
  `gasPrice: 0`, which only an anvil started with `--block-base-fee-per-gas 0` accepts (a plain `anvil` answers
  "max fee per gas less than block base fee");
- no brownie deployment records (see `skip_deployment_records`): deployments/<chain id>.json is the record.
"""

from __future__ import annotations

import argparse
import importlib
import shutil

import brownie.network.contract
from brownie import network, web3
from brownie._config import CONFIG

from scripts.project import ROOT, load_project


def skip_deployment_records() -> None:
    """brownie 1.22.2 records each deployment on a live network twice, and neither record serves here:
    - in its sqlite database, through `state._add_deployment`, which fails in a background thread after every
      deployment with `TypeError: dict object expected; got brownie.project.sources.Sources` (state.py is compiled
      by mypyc, which enforces the `dict` annotation that `contract._sources` does not meet);
    - in build/deployments/<chain id>/, which the next connection to that chain id loads back: after a chain is
      reset (a rehearsal on anvil, a devnet restarted) it names contracts that are gone.
    This project's record is deployments/<chain id>.json, written by the scripts themselves."""
    brownie.network.contract._add_deployment = lambda *args, **kwargs: None
    forget_deployment_records()


def forget_deployment_records() -> None:
    """Empties build/deployments (brownie expects the folder itself to exist)."""
    records = ROOT / "build" / "deployments"
    shutil.rmtree(records, ignore_errors=True)
    records.mkdir(parents=True)


def pay_base_fee() -> None:
    """EIP-1559 fees (1 gwei tip, max fee twice the base fee plus the tip) on a chain with a base fee when the
    network's settings would send a zero gas price."""
    base_fee = web3.eth.get_block("latest").get("baseFeePerGas") or 0
    if base_fee and CONFIG.network_type == "development" and not network.gas_price():
        network.priority_fee("1 gwei")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="module in scripts/, for example demo or deploy")
    parser.add_argument("--network", default="development", help="a brownie network id")
    arguments = parser.parse_args()

    load_project()
    skip_deployment_records()
    network.connect(arguments.network)
    try:
        pay_base_fee()
        importlib.import_module(f"scripts.{arguments.script}").main()
    finally:
        network.disconnect()
        forget_deployment_records()


if __name__ == "__main__":
    main()
