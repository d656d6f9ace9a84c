"""Key files for operators: an eth-account keystore and the file holding its password, both readable by
their owner only. What `oracle keys new` and `oracle keys import` write, and ORACLE_KEYSTORE reads."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from eth_account import Account

from oracle.errors import OracleError


class KeyFileError(OracleError, ValueError):
    """A key file cannot be written as asked."""


def password_file_for(keystore: Path) -> Path:
    return keystore.with_suffix(".password")


def write_keystore(keystore: Path, private_key: bytes | None = None) -> tuple[str, Path]:
    """Encrypts `private_key` (a new one if None) under a random password into `keystore`, and the password
    into `<keystore>.password`; returns the address and the password file. Never overwrites a file."""
    password_file = password_file_for(keystore)
    for path in (keystore, password_file):
        if path.exists():
            raise KeyFileError(f"{path} exists: choose another name (a key file is never overwritten)")
    account = Account.from_key(private_key) if private_key is not None else Account.create()
    password = secrets.token_urlsafe(32)
    keystore.parent.mkdir(parents=True, exist_ok=True)
    _write_private(password_file, password + "\n")
    _write_private(keystore, json.dumps(Account.encrypt(account.key, password)))
    return account.address, password_file


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def load_keystore(keystore: Path, password_file: Path | None = None):
    """The LocalAccount in `keystore`, decrypted with the password in `password_file` (default
    `<keystore>.password`, as `oracle keys new|import` write it). KeyFileError says what is missing or wrong."""
    password_file = password_file or password_file_for(keystore)
    if not keystore.is_file():
        raise KeyFileError(f"no keystore file at {keystore} (make one with `oracle keys new` or `oracle keys import`)")
    if not password_file.is_file():
        raise KeyFileError(f"no password file at {password_file} for the keystore {keystore}")
    try:
        key = Account.decrypt(keystore.read_text(), password_file.read_text().strip())
    except (ValueError, KeyError, TypeError) as error:
        raise KeyFileError(f"cannot decrypt {keystore} with the password in {password_file}: {error}") from None
    return Account.from_key(key)
