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
  "max fee per gas less than block base fee").
"""

from __future__ import annotations

import argparse
import importlib

from brownie import network, web3
from brownie._config import CONFIG

from scripts.project import load_project


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
    network.connect(arguments.network)
    try:
        pay_base_fee()
        importlib.import_module(f"scripts.{arguments.script}").main()
    finally:
        network.disconnect()


if __name__ == "__main__":
    main()
