"""Signing keys: the key files `oracle keys new` and `oracle keys import` write (an eth-account keystore and
the file holding its password, both readable by their owner only), and the node's key as its settings name it,
read only when the runtime needs it (reading the settings never opens a key file)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from oracle.config import LOCAL_CHAIN_IDS, ConfigError, Settings
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


def load_keystore(keystore: Path, password_file: Path | None = None) -> LocalAccount:
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
    account: LocalAccount = Account.from_key(key)
    return account


def node_account(settings: Settings, chain_id: Callable[[], int]) -> LocalAccount:
    """The node's key: its keystore, or a raw key, which is refused outside local chains (`chain_id` is asked
    only then). ConfigError names the setting at fault and never holds the key or the password."""
    if settings.keystore is not None:
        return _keystore_account(settings)
    if settings.private_key is not None:
        chain = chain_id()
        if chain not in LOCAL_CHAIN_IDS:
            raise ConfigError(
                f"ORACLE_PRIVATE_KEY is accepted on local chains only (chain id {chain} is not one): "
                "use ORACLE_KEYSTORE with a password"
            )
        try:
            account: LocalAccount = Account.from_key(settings.private_key.get_secret_value())
        except (ValueError, TypeError):
            raise ConfigError("ORACLE_PRIVATE_KEY is not a 32-byte hex private key") from None
        return account
    raise ConfigError("no signing key: set ORACLE_KEYSTORE (+ password), or ORACLE_PRIVATE_KEY on a local chain")


def _keystore_account(settings: Settings) -> LocalAccount:
    keystore = settings.keystore
    assert keystore is not None
    if not keystore.is_file():
        raise ConfigError(f"ORACLE_KEYSTORE: no keystore file at {keystore}")
    password = _keystore_password(settings)
    try:
        encrypted = keystore.read_text()
    except OSError as error:
        raise ConfigError(f"ORACLE_KEYSTORE: cannot read {keystore}: {error.strerror}") from None
    try:
        key = Account.decrypt(encrypted, password)
    except ValueError as error:
        raise ConfigError(f"ORACLE_KEYSTORE: cannot decrypt {keystore}: {error}") from None
    account: LocalAccount = Account.from_key(key)
    return account


def _keystore_password(settings: Settings) -> str:
    if settings.keystore_password is not None:
        return settings.keystore_password.get_secret_value()
    path = settings.keystore_password_file
    assert path is not None  # Settings refuses a keystore without a password or a password file
    if not path.is_file():
        raise ConfigError(f"ORACLE_KEYSTORE_PASSWORD_FILE: no file at {path}")
    try:
        return path.read_text().strip()
    except OSError as error:
        raise ConfigError(f"ORACLE_KEYSTORE_PASSWORD_FILE: cannot read {path}: {error.strerror}") from None
