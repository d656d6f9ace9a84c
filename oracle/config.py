"""The node's settings: ORACLE_* environment variables over an optional TOML file, validated by pydantic.

pydantic-settings would do the loading, but it needs python-dotenv>=0.21 and eth-brownie 1.22.2 pins
python-dotenv==0.16.0, so the (small) environment and file merge is done here and pydantic validates.

Precedence: explicit overrides (CLI options) > environment (ORACLE_<FIELD>) > config file
(ORACLE_CONFIG or --config, TOML) > defaults.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from oracle.errors import OracleError

ENV_PREFIX = "ORACLE_"
CONFIG_ENV = "ORACLE_CONFIG"
LOCAL_CHAIN_IDS = frozenset({31337, 1337})
# Where a frontend's dev server runs (the example page under `make up`, Vite's default port): allowed to call the
# API cross-origin unless ORACLE_API_CORS_ORIGINS says otherwise.
LOCAL_DEV_ORIGINS = ("http://127.0.0.1:5173", "http://localhost:5173")


class ConfigError(OracleError, ValueError):
    """The settings are missing something or hold a wrong value; the message says which and how to fix it."""


class Settings(BaseModel):
    """Everything an oracle node or API process needs to start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str = Field(description="HTTP JSON-RPC endpoint of the chain")
    rpc_timeout: float = Field(
        5.0, gt=0, le=120, description="seconds a JSON-RPC call may take (one attempt: no hidden retries)"
    )
    coordinator: str = Field(description="address of the OracleCoordinator")
    models_dir: Path = Field(Path("models"), description="directory holding one sub-directory per model")
    models: tuple[str, ...] = Field((), description="model names to serve; empty = every model in models_dir")
    models_trusted_types: tuple[str, ...] = Field(
        (), description="types a served artifact may hold beyond the defaults (a packaged model's --trust)"
    )
    database: Path | str = Field(
        Path("data/oracle.db"),
        description="SQLite file of the node's state, or a postgresql://user@host/dbname URL to share it between "
        "API replicas and an active/standby pair of nodes",
    )

    keystore: Path | None = Field(None, description="eth-account keystore JSON of the node's key")
    keystore_password: SecretStr | None = Field(None, description="password of the keystore")
    keystore_password_file: Path | None = Field(None, description="file holding the keystore password")
    private_key: SecretStr | None = Field(None, description="raw hex key; accepted on local chains only")

    confirmations: int | None = Field(
        None,
        ge=0,
        le=256,
        description="blocks a request's block must be buried under; default 1, or 0 on a local chain (31337, "
        "1337), whose automining head moves only with the next transaction",
    )
    start_block: int | None = Field(None, ge=0, description="first block to read when the store is empty")
    log_range: int = Field(2_000, ge=1, le=100_000, description="most blocks per eth_getLogs query")
    reorg_depth: int = Field(128, ge=1, description="block hashes kept to find the fork point of a reorg")
    poll_interval: float = Field(0.5, gt=0, le=60, description="seconds between looks at the chain head")

    max_batch: int = Field(50, ge=1, le=500, description="most reports per fulfillBatch transaction")
    max_in_flight: int = Field(4, ge=1, le=64, description="most unconfirmed transactions at once")
    stuck_after_blocks: int = Field(3, ge=1, description="blocks before an unmined transaction is re-priced")
    fee_bump_percent: int = Field(25, ge=10, le=500, description="fee increase of a replacement transaction")
    drop_after_blocks: int = Field(
        2, ge=1, le=256, description="blocks a transaction's nonce must stay used with no receipt before it is dropped"
    )
    max_fee_gwei: float | None = Field(
        500.0,
        gt=0,
        description="cap on maxFeePerGas in gwei: a runaway fee market or bump loop stops here",
    )
    deadline_margin: int = Field(5, ge=0, description="seconds before a deadline after which a request is not sent")

    peers: tuple[str, ...] = Field(
        (),
        description="the other nodes of the network, each as SIGNER_ADDRESS@API_URL (comma-separated); "
        "empty = this node answers alone (threshold 1)",
    )
    transmit_stagger: float = Field(
        20.0,
        ge=0,
        le=3_600,
        description="seconds each later transmitter of a request waits after the one before it; above the time "
        "a transaction takes to be mined, or answers are sent twice",
    )
    peer_timeout: float = Field(2.0, gt=0, le=60, description="seconds a peer's API has to answer")
    serve_api: bool = Field(
        False, description="serve the HTTP API from the node process (peers' observations then wake the node at once)"
    )

    metrics_port: int | None = Field(
        None, ge=1, le=65535, description="port of the node's own Prometheus metrics; unset = not served"
    )
    metrics_host: str = Field("127.0.0.1", description="address the node's metrics bind to")
    retention_days: int = Field(
        30, ge=0, description="days finished requests are kept before the node deletes them; 0 = forever"
    )

    api_host: str = Field("127.0.0.1", description="address the HTTP API binds to")
    api_port: int = Field(8000, ge=1, le=65535, description="port of the HTTP API")
    api_cors_origins: tuple[str, ...] = Field(
        LOCAL_DEV_ORIGINS,
        description="browser origins allowed to call the API (scheme://host[:port], or *); default the local "
        "development origins http://127.0.0.1:5173 and http://localhost:5173; `none` for none; publishable keys' "
        "origins are allowed besides",
    )
    api_report_validity: int = Field(300, ge=1, description="default seconds a pull-mode report stays valid")
    api_max_report_validity: int = Field(
        3_600, ge=1, le=30 * 86_400, description="longest validity a client may ask for a pull-mode report"
    )
    api_max_batch: int = Field(100, ge=1, le=1_000, description="most predictions in one batch request")
    api_anonymous_rate_limit: int = Field(
        600, ge=0, description="requests per minute per client address on public /v1 routes; 0 = no limit"
    )
    api_trusted_proxies: tuple[str, ...] = Field(
        (),
        description="addresses or networks of reverse proxies whose X-Forwarded-For names the client "
        "(comma-separated); empty = the connecting address is the client",
    )
    api_peer_rate_limit: int = Field(
        12_000, ge=1, description="posts per minute each peer may make to /v1/observations"
    )
    api_webhook_delivery: bool = Field(True, description="deliver webhooks from this API process")
    api_webhook_interval: float = Field(1.0, gt=0, le=60, description="seconds between webhook scans")
    api_webhook_timeout: float = Field(5.0, gt=0, le=60, description="seconds a webhook receiver has to answer")
    api_webhook_max_attempts: int = Field(8, ge=1, le=50, description="attempts before a delivery is given up")
    api_webhook_backoff: float = Field(
        2.0, gt=0, le=3_600, description="seconds before the first retry; doubled after each failed attempt"
    )
    api_webhook_allow_private: bool = Field(
        False, description="let webhooks POST to loopback and private addresses (local development only)"
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_json: bool = Field(False, description="one JSON object per log line")

    @field_validator("coordinator")
    @classmethod
    def _checksum(cls, value: str) -> str:
        if not is_address(value):
            raise ValueError(f"{value!r} is not an Ethereum address")
        return to_checksum_address(value)

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Path | str:
        text = str(value)
        if text.startswith(("postgresql://", "postgres://")):
            return text
        if "://" in text:
            raise ValueError("must be a SQLite file path or a postgresql:// URL")
        return Path(text)

    @field_validator("rpc_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// JSON-RPC URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("api_cors_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if tuple(value) == ("none",):
            return ()
        for origin in value:
            if origin == "*":
                continue
            scheme, _, rest = origin.partition("://")
            if scheme not in {"http", "https"} or not rest or any(c in rest for c in "/?#@ "):
                raise ValueError(f"{origin!r} is not an origin: use scheme://host[:port] (no path), or *")
        return value

    @field_validator("api_trusted_proxies")
    @classmethod
    def _proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for proxy in value:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)") from None
        return value

    @field_validator("peers")
    @classmethod
    def _peers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        checked = []
        for entry in value:
            address, at, url = entry.partition("@")
            if not at or not is_address(address.strip()):
                raise ValueError(f"{entry!r} is not SIGNER_ADDRESS@API_URL")
            if not url.strip().startswith(("http://", "https://")):
                raise ValueError(f"{entry!r}: the peer's API URL must start with http:// or https://")
            checked.append(f"{to_checksum_address(address.strip())}@{url.strip().rstrip('/')}")
        if len({entry.split("@", 1)[0] for entry in checked}) != len(checked):
            raise ValueError("a peer is listed twice")
        return tuple(checked)

    @model_validator(mode="after")
    def _report_validity(self) -> Settings:
        if self.api_report_validity > self.api_max_report_validity:
            raise ValueError(
                f"ORACLE_API_REPORT_VALIDITY ({self.api_report_validity}) exceeds "
                f"ORACLE_API_MAX_REPORT_VALIDITY ({self.api_max_report_validity})"
            )
        return self

    @model_validator(mode="after")
    def _one_key_source(self) -> Settings:
        if self.keystore and self.private_key:
            raise ValueError("give either a keystore or a private key, not both")
        if self.keystore and not (self.keystore_password or self.keystore_password_file):
            raise ValueError("a keystore needs ORACLE_KEYSTORE_PASSWORD or ORACLE_KEYSTORE_PASSWORD_FILE")
        return self

    @property
    def peer_endpoints(self) -> tuple[tuple[str, str], ...]:
        """(signer address, API URL) of each peer."""
        return tuple((entry.split("@", 1)[0], entry.split("@", 1)[1]) for entry in self.peers)

    def confirmations_on(self, chain_id: int) -> int:
        """The configured confirmations, else 0 on a local chain and 1 elsewhere."""
        if self.confirmations is not None:
            return self.confirmations
        return 0 if chain_id in LOCAL_CHAIN_IDS else 1

    @property
    def max_fee_per_gas_cap(self) -> int | None:
        return None if self.max_fee_gwei is None else int(self.max_fee_gwei * 10**9)

    def check_models_dir(self) -> None:
        if not self.models_dir.is_dir():
            raise ConfigError(f"ORACLE_MODELS_DIR: {self.models_dir} is not a directory (run `make models`)")


# Where the signing key comes from: a layer (file < environment < overrides) that names any of these replaces
# the key of the layers below it as a whole, so an ORACLE_PRIVATE_KEY or ORACLE_KEYSTORE in the environment
# never meets the file's keystore as "both".
KEY_FIELDS = frozenset({"keystore", "keystore_password", "keystore_password_file", "private_key"})

# Settings given as comma-separated lists in the environment.
LIST_FIELDS = frozenset({"models", "models_trusted_types", "api_cors_origins", "api_trusted_proxies", "peers"})


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in Settings.model_fields:
        raw = environ.get(env_name(field))
        if raw is None or raw == "":
            continue
        values[field] = [m.strip() for m in raw.split(",") if m.strip()] if field in LIST_FIELDS else raw
    return values


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    section = data.get("oracle", data)
    unknown = sorted(set(section) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
    return dict(section)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Merges defaults, config file, environment and overrides; raises ConfigError naming each problem."""
    environ = os.environ if environ is None else environ
    path = config_file or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    values: dict[str, Any] = _from_file(path) if path else {}
    for layer in (_from_env(environ), {k: v for k, v in overrides.items() if v is not None}):
        if KEY_FIELDS & set(layer):
            values = {k: v for k, v in values.items() if k not in KEY_FIELDS}
        values.update(layer)
    try:
        return Settings(**values)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    """One line per problem, naming the environment variable; never echoes a submitted value."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        location = problem["loc"]
        field = str(location[0]) if location else ""
        name = env_name(field) if field in Settings.model_fields else "settings"
        if problem["type"] == "missing":
            lines.append(f"{name} is not set ({Settings.model_fields[field].description})")
        else:
            lines.append(f"{name}: {problem['msg']}")
    return "invalid oracle settings:\n  " + "\n  ".join(lines)
