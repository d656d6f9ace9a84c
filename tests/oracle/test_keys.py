"""Key files: a keystore that decrypts with the password written beside it, both readable by the owner only."""

import json
import stat
import subprocess
import sys

import pytest
from eth_account import Account

from oracle.keys import KeyFileError, password_file_for, write_keystore
from scripts.node_process import REPO


def test_write_keystore_makes_a_key_that_decrypts_with_its_password_file(tmp_path):
    keystore = tmp_path / "keys" / "node.json"
    address, password_file = write_keystore(keystore)
    assert password_file == password_file_for(keystore)
    key = Account.decrypt(json.loads(keystore.read_text()), password_file.read_text().strip())
    assert Account.from_key(key).address == address
    for path in (keystore, password_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_keystore_keeps_an_imported_key(tmp_path):
    key = bytes.fromhex("11" * 32)
    address, password_file = write_keystore(tmp_path / "owner.json", key)
    assert address == Account.from_key(key).address
    assert Account.decrypt((tmp_path / "owner.json").read_text(), password_file.read_text().strip()) == key


def test_write_keystore_never_overwrites(tmp_path):
    write_keystore(tmp_path / "node.json")
    with pytest.raises(KeyFileError, match="exists"):
        write_keystore(tmp_path / "node.json")


def test_keys_import_reads_the_key_from_stdin_and_never_prints_it(tmp_path):
    key = "0x" + "22" * 32
    result = subprocess.run(
        [sys.executable, "-m", "oracle", "keys", "import", str(tmp_path / "owner.json")],
        input=key + "\n",
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == Account.from_key(key).address
    assert "22" * 32 not in result.stdout + result.stderr
