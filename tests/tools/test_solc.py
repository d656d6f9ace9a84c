"""tools/solc, the solc-js adapter that brownie and slither run as `solc`: each mode they use, driven as they drive
it (py-solc-x for brownie, crytic-compile's command line for slither), and a clear refusal of anything else."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import solcx
from eth_utils import function_signature_to_4byte_selector
from solcx.exceptions import UnknownOption

ROOT = Path(__file__).resolve().parents[2]
SOLC = ROOT / "tools" / "solc"
NPM_VERSION = json.loads((ROOT / "node_modules" / "solc" / "package.json").read_text())["version"]
# what crytic-compile 0.3 asks of solc >= 0.8.10 (crytic_compile/platform/solc.py, _build_options)
SLITHER_OUTPUTS = "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes"
SUPPORTED = "supports --version, --help, --standard-json and --combined-json"

LIBRARY = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
library Increment {
    function next(uint256 x) internal pure returns (uint256) { return x + 1; }
}
"""
CONTRACT = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import "@lib/Increment.sol";
/// @notice counts
contract Counter {
    function successor(uint256 x) external pure returns (uint256) { return Increment.next(x); }
}
"""


@pytest.fixture
def sources(tmp_path):
    """Counter.sol importing lib/Increment.sol through the remapping @lib=lib."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Increment.sol").write_text(LIBRARY)
    (tmp_path / "Counter.sol").write_text(CONTRACT)
    return tmp_path


def solc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(SOLC), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_version_names_the_npm_compiler_as_a_native_build_py_solc_x_parses():
    done = solc("--version")

    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        rf"solc, the solidity compiler commandline interface\nVersion: {re.escape(NPM_VERSION)}\+commit\.[0-9a-f]{{8}}"
        r"\.Linux\.g\+\+\n",
        done.stdout,
    )
    assert str(solcx.wrapper.get_solc_version(SOLC)) == NPM_VERSION


def test_help_lists_the_combined_json_outputs_on_the_line_py_solc_x_reads():
    done = solc("--help", "-")  # py-solc-x appends `-` (stdin) to --help

    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("  --combined-json")]
    assert set(line.split(" ")[-1].split(",")) == set(SLITHER_OUTPUTS.split(","))


def test_standard_json_compiles_as_brownie_asks_resolving_imports_through_allow_paths(sources):
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"Counter.sol": {"content": CONTRACT}},
            "settings": {
                "remappings": ["@lib=lib"],
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        },
        allow_paths=str(sources),
        solc_binary=SOLC,
    )

    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    counter = output["contracts"]["Counter.sol"]["Counter"]
    assert [f["name"] for f in counter["abi"]] == ["successor"]
    assert len(counter["evm"]["bytecode"]["object"]) > 100
    assert set(output["sources"]) == {"Counter.sol", "lib/Increment.sol"}


def test_combined_json_compiles_what_slither_asks_on_its_command_line(sources):
    done = solc(
        "@lib=lib",
        "Counter.sol",
        "--combined-json",
        SLITHER_OUTPUTS,
        *("--via-ir", "--optimize", "--optimize-runs", "10000", "--evm-version", "prague"),
        *("--allow-paths", f".,{sources}"),
        cwd=sources,
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["contracts"]) == {"Counter.sol:Counter", "lib/Increment.sol:Increment"}
    counter = result["contracts"]["Counter.sol:Counter"]
    assert set(counter) == set(SLITHER_OUTPUTS.split(",")) - {"ast"}
    assert counter["hashes"] == {"successor(uint256)": function_signature_to_4byte_selector("successor(uint256)").hex()}
    assert counter["userdoc"]["notice"] == "counts"
    assert result["sourceList"] == ["Counter.sol", "lib/Increment.sol"]
    assert {name: source["AST"]["nodeType"] for name, source in result["sources"].items()} == {
        "Counter.sol": "SourceUnit",
        "lib/Increment.sol": "SourceUnit",
    }


def test_an_unsupported_option_is_refused_in_the_words_py_solc_x_recognises():
    done = solc("--link", "--libraries", "L:0x0000000000000000000000000000000000000001")

    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == ["unrecognised option '--link'", f"tools/solc (the solc-js adapter) {SUPPORTED}"]
    with pytest.raises(UnknownOption, match="does not support the '--link' option"):
        solcx.wrapper.solc_wrapper(solc_binary=SOLC, link=True)


def test_no_mode_is_refused_naming_the_supported_ones():
    done = solc("Counter.sol")

    assert done.returncode == 1
    assert done.stderr == f"Error: no mode given: tools/solc (the solc-js adapter) {SUPPORTED}\n"
