"""Key files: a keystore that decrypts with the password written beside it, both readable by the owner only;
the node's key read by the runtime, never by reading the settings."""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from oracle.config import ConfigError, load_settings
from oracle.keys import KeyFileError, password_file_for, write_keystore
from oracle.runtime import Runtime
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


COORDINATOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def unreadable(monkeypatch):
    """Paths whose opening fails as a file the process may not read does (the tests run as root, which chmod
    cannot refuse); each attempt is recorded."""
    paths, attempts = set(), []
    real_open = Path.open

    def guarded_open(self, *args, **kwargs):
        if self in paths:
            attempts.append(self)
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    return paths, attempts


def test_settings_name_a_missing_keystore_and_the_runtime_refuses_it_without_the_password(tmp_path):
    keystore = tmp_path / "absent" / "node.json"
    settings = load_settings(
        environ={
            "ORACLE_RPC_URL": "http://127.0.0.1:8545",
            "ORACLE_COORDINATOR": COORDINATOR,
            "ORACLE_KEYSTORE": str(keystore),
            "ORACLE_KEYSTORE_PASSWORD": PASSWORD,
        }
    )
    assert settings.keystore == keystore
    with pytest.raises(ConfigError) as refused:
        _ = Runtime(settings).account
    assert str(refused.value) == f"ORACLE_KEYSTORE: no keystore file at {keystore}"
    assert PASSWORD not in str(refused.value) + repr(refused.value)


def test_settings_never_open_the_password_file_and_the_runtime_says_it_cannot(tmp_path, unreadable):
    keystore = tmp_path / "node.json"
    keystore.write_text(json.dumps(Account.encrypt(bytes.fromhex("33" * 32), PASSWORD, iterations=2)))
    password_file = tmp_path / "node.password"
    password_file.write_text(PASSWORD + "\n")
    paths, attempts = unreadable
    paths.add(password_file)
    settings = load_settings(
        environ={
            "ORACLE_RPC_URL": "http://127.0.0.1:8545",
            "ORACLE_COORDINATOR": COORDINATOR,
            "ORACLE_KEYSTORE": str(keystore),
            "ORACLE_KEYSTORE_PASSWORD_FILE": str(password_file),
        }
    )
    assert settings.keystore_password_file == password_file and attempts == []
    with pytest.raises(ConfigError) as refused:
        _ = Runtime(settings).account
    assert str(refused.value) == f"ORACLE_KEYSTORE_PASSWORD_FILE: cannot read {password_file}: Permission denied"
    assert attempts == [password_file] and PASSWORD not in str(refused.value)
