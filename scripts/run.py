"""Runs one of the brownie scripts here: `python -m scripts.run demo [--network development]`.

Does what `brownie run scripts/<name>.py` does (load and compile the project, connect to the network,
call the script's `main()`) without its import of the script by absolute path: brownie 1.22 joins every
directory of that path with dots, so it fails in any checkout whose path holds a dot, such as the
`/tmp/tmp.XXXXXXXXXX` directories `mktemp -d` makes.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from brownie import network, project

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="module in scripts/, for example demo or deploy")
    parser.add_argument("--network", default="development", help="a brownie network id")
    arguments = parser.parse_args()

    active = project.load(ROOT)
    active.load_config()
    active._add_to_main_namespace()  # what `brownie run` does, so `from brownie import OracleCoordinator` works
    network.connect(arguments.network)
    try:
        importlib.import_module(f"scripts.{arguments.script}").main()
    finally:
        network.disconnect()


if __name__ == "__main__":
    main()
