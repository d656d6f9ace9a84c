"""Loads (and compiles) this brownie project under a fixed name: `python -m scripts.project` compiles.

brownie names a project after its folder and refuses a folder whose name starts with a digit
(`BadProjectName`, brownie/project/main.py); a name given to `project.load` skips that check. brownie's pytest
plugin gets the same name from oracle/brownie_project.py.
"""

from __future__ import annotations

from pathlib import Path

from brownie import project

from oracle.brownie_project import PROJECT_NAME

ROOT = Path(__file__).resolve().parent.parent


def load_project():
    """The project, compiled, its contracts importable with `from brownie import X` (what `brownie run` does)."""
    active = project.load(ROOT, name=PROJECT_NAME)
    active.load_config()
    active._add_to_main_namespace()
    return active


if __name__ == "__main__":
    load_project()
