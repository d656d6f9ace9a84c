"""`oracle`: run the node, manage models, inspect requests, verify answers."""

from __future__ import annotations

import datetime
import json
import logging
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from oracle import cli_models, logs
from oracle.cli_settings import console, runtime_for, settings_or_exit
from oracle.config import CONFIG_ENV, ConfigError
from oracle.errors import OracleError
from oracle.store.api_keys import ApiKeyStore, Scope
from oracle.store.requests import State, StoredRequest
from oracle.types import model_id

if TYPE_CHECKING:
    from eth_account.types import TransactionDictType

# Model and chain modules (scikit-learn, skops, web3) load inside the commands that use them (through
# runtime_for), so that `oracle --help` and a settings error answer at once.

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
node_app = typer.Typer(no_args_is_help=True, help="The oracle node process.")
models_app = typer.Typer(no_args_is_help=True, help="Model directories and their on-chain registration.")
requests_app = typer.Typer(no_args_is_help=True, help="Requests in the node's store.")
api_keys_app = typer.Typer(no_args_is_help=True, help="Keys of the HTTP API (stored hashed: a key is shown once).")
keys_app = typer.Typer(no_args_is_help=True, help="Signing keys: keystore files with their password files.")
app.add_typer(node_app, name="node")
app.add_typer(models_app, name="models")
app.add_typer(requests_app, name="requests")
app.add_typer(api_keys_app, name="api-keys")
app.add_typer(keys_app, name="keys")

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file (else ORACLE_CONFIG)")]


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[red]{logs.redact(str(error))}[/]")
    return typer.Exit(1)


@node_app.command("run")
def node_run(
    config: ConfigOption = None,
    once: Annotated[bool, typer.Option(help="run one tick and exit (for scripts and checks)")] = False,
) -> None:
    """Listen for requests, predict, sign and fulfil until SIGINT or SIGTERM."""
    settings = settings_or_exit(config)
    logs.configure(settings.log_level, settings.log_json)
    try:
        runtime = runtime_for(settings)
        lease = runtime.node_lease()  # noqa: F841 - held until the process ends
        node = runtime.node()
        if once:
            node.start()
            result = node.tick()
            node.stop()
            console.print(result)
            return
        metrics = runtime.metrics_server()
        if metrics is not None:
            metrics.start()
        api = None
        if settings.serve_api:
            from oracle.api.request_id import RequestIdLogFilter
            from oracle.api.server import serve_in_thread

            for handler in logging.getLogger().handlers:
                handler.addFilter(RequestIdLogFilter())
            api = serve_in_thread(runtime.api_app(on_new_observations=node.wake), settings.api_host, settings.api_port)
            logging.getLogger("oracle.api").info("API on http://%s:%d", settings.api_host, settings.api_port)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        try:
            node.run(stop, settings.poll_interval)
        finally:
            if api is not None:
                api.should_exit = True
            if metrics is not None:
                metrics.stop()
    except OracleError as error:
        raise _fail(error) from None


models_app.command("train")(cli_models.train_command)
models_app.command("package")(cli_models.package)
models_app.command("fairness")(cli_models.fairness_command)
models_app.command("drift")(cli_models.drift_command)


@app.command("api")
def api(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="bind address (else ORACLE_API_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (else ORACLE_API_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes on the one port (the machine's cores, say)")] = 1,
    loop: Annotated[str, typer.Option(help="uvicorn event loop: uvloop, asyncio")] = "uvloop",
    http: Annotated[str, typer.Option(help="uvicorn HTTP parser: httptools, h11")] = "httptools",
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the node's store, models and key until SIGINT or SIGTERM."""
    from oracle.api.request_id import RequestIdLogFilter
    from oracle.api.server import run_workers, server

    settings = settings_or_exit(config, api_host=host, api_port=port)
    logs.configure(settings.log_level, settings.log_json)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdLogFilter())
    if workers > 1:  # each worker reads the same settings from the environment
        if config is not None:
            os.environ[CONFIG_ENV] = str(config.resolve())
        logging.getLogger("oracle.api").info(
            "API on http://%s:%d, %d workers", settings.api_host, settings.api_port, workers
        )
        run_workers(settings.api_host, settings.api_port, workers, loop=loop, http=http)
        return
    try:
        application = runtime_for(settings).api_app()
    except OracleError as error:
        raise _fail(error) from None
    logging.getLogger("oracle.api").info("API on http://%s:%d (docs at /docs)", settings.api_host, settings.api_port)
    server(application, settings.api_host, settings.api_port, loop=loop, http=http).run()


@keys_app.command("new")
def keys_new(keystore: Annotated[Path, typer.Argument(help="keystore file to write, e.g. keys/node1.json")]) -> None:
    """A new key in an encrypted keystore, its random password in <keystore>.password (both mode 600).
    Prints the address: fund it, and give it to the coordinator's owner as a signer."""
    from oracle.keys import KeyFileError, write_keystore

    try:
        address, password_file = write_keystore(keystore)
    except KeyFileError as error:
        raise _fail(error) from None
    console.print(
        f"keystore {keystore}, password in {password_file} (both mode 600). Fund this address (the node pays the gas "
        "of the answers it sends) and give it to the coordinator's owner for ORACLE_SIGNERS:",
        highlight=False,
    )
    print(address)


@keys_app.command("import")
def keys_import(keystore: Annotated[Path, typer.Argument(help="keystore file to write, e.g. keys/owner.json")]) -> None:
    """An existing key (typed or piped on standard input, never an argument) into a keystore with a random
    password in <keystore>.password: for the owner's key, which `oracle models register` sends from."""
    import getpass
    import sys

    from oracle.keys import KeyFileError, write_keystore

    raw = (getpass.getpass("private key (hex): ") if sys.stdin.isatty() else sys.stdin.readline()).strip()
    try:
        key = bytes.fromhex(raw.removeprefix("0x"))
        if len(key) != 32:
            raise ValueError
    except ValueError:
        raise _fail(ConfigError("that is not a 32-byte hex private key")) from None
    try:
        address, password_file = write_keystore(keystore, key)
    except KeyFileError as error:
        raise _fail(error) from None
    console.print(f"keystore {keystore}, password in {password_file}; address:", highlight=False)
    print(address)


def _key_store(config: Path | None) -> ApiKeyStore:
    return ApiKeyStore(runtime_for(settings_or_exit(config)).database)


@api_keys_app.command("create")
def api_keys_create(
    name: str,
    scope: Annotated[
        list[Scope] | None, typer.Option("--scope", "-s", help="predict, webhooks or admin; repeat for more")
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="requests per minute (default 600, publishable 60)")
    ] = None,
    publishable: Annotated[
        bool, typer.Option(help="a pk_ key for web pages: pull scope only, only from the --origin pages")
    ] = False,
    origin: Annotated[
        list[str] | None, typer.Option("--origin", help="a publishable key's page origin, e.g. https://app.example")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Creates a key and prints it once (on stdout, alone on its line); only its sha256 is stored."""
    from oracle.store.database import StoreError

    if publishable and not origin:
        raise _fail(ConfigError("a publishable key needs at least one --origin (the page's scheme://host[:port])"))
    if origin and not publishable:
        raise _fail(ConfigError("--origin is for publishable keys: add --publishable"))
    if not scope and not publishable:
        raise _fail(ConfigError("give at least one --scope (predict, webhooks, admin)"))
    scopes = scope or [Scope.PREDICT]
    try:
        key, secret = _key_store(config).create(
            name, scopes, rate_limit or (60 if publishable else 600), origins=origin or ()
        )
    except StoreError as error:
        raise _fail(error) from None
    where = f", only from {', '.join(sorted(key.origins))}" if key.publishable else ""
    console.print(
        f"key #{key.key_id} {key.name!r}: {'publishable, ' if key.publishable else ''}scopes "
        f"{', '.join(sorted(key.scopes))}, {key.rate_limit}/min{where}. It is shown only now:",
        highlight=False,
    )
    print(secret)


@api_keys_app.command("list")
def api_keys_list(config: ConfigOption = None) -> None:
    """Every key (never the secrets)."""
    table = Table("id", "name", "prefix", "scopes", "origins", "per minute", "created", "state")
    for key in _key_store(config).list():
        created = datetime.datetime.fromtimestamp(key.created_at, datetime.UTC).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(key.key_id),
            key.name,
            key.prefix + "…",
            ", ".join(sorted(key.scopes)),
            " ".join(sorted(key.origins)) if key.publishable else "any (secret key)",
            str(key.rate_limit),
            created,
            "active" if key.active else "[red]revoked[/]",
        )
    console.print(table)


@api_keys_app.command("revoke")
def api_keys_revoke(key_id: int, config: ConfigOption = None) -> None:
    """Revokes a key at once (it stays listed)."""
    if not _key_store(config).revoke(key_id):
        raise _fail(OracleError(f"no active key {key_id}"))
    console.print(f"key #{key_id} revoked")


@models_app.command("list")
def models_list(
    config: ConfigOption = None,
    models_dir: Annotated[Path | None, typer.Option(help="defaults to ORACLE_MODELS_DIR or ./models")] = None,
    chain: Annotated[bool, typer.Option(help="also show the on-chain registration (needs RPC + coordinator)")] = False,
) -> None:
    """Every model directory with its hashes and held-out metrics."""
    from oracle.chain.coordinator import registration_problem
    from oracle.ml.model import LoadedModel
    from oracle.ml.registry import model_dirs

    directory = models_dir or (settings_or_exit(config).models_dir if chain else Path("models"))
    coordinator = runtime_for(settings_or_exit(config)).coordinator if chain else None
    table = Table("model", "model id", "artifact sha256", "schema sha256", "held-out", "on chain")
    for name, path in model_dirs(directory).items():
        model = LoadedModel.from_dir(path)
        metrics = model.report.get("held_out", {})
        held_out = ", ".join(f"{k} {metrics[k]:.3f}" for k in ("roc_auc", "brier") if k in metrics)
        status = "-"
        if coordinator is not None:
            registration = coordinator.model(model_id(name))
            problem = registration_problem(registration, model.artifact_hash, model.schema_hash)
            if registration is None:
                status = f"[yellow]{problem}[/]"
            elif registration.matches(model.artifact_hash, model.schema_hash):
                status = f"[green]v{registration.version} matches[/]" + (f" ({problem})" if problem else "")
            else:
                status = f"[red]{problem}[/]"
        table.add_row(
            name,
            "0x" + model_id(name).hex()[:12] + "…",
            model.artifact_hash.hex()[:16] + "…",
            model.schema_hash.hex()[:16] + "…",
            held_out,
            status,
        )
    console.print(table)


@models_app.command("register")
def models_register(
    name: str,
    fee_wei: Annotated[int, typer.Option(help="base fee per request in wei")] = 10**15,
    gas_price_gwei: Annotated[
        float, typer.Option(help="gas price a request also pays its callback and fulfilment gas at (0: a flat fee)")
    ] = 0,
    max_callback_gas: Annotated[int, typer.Option(help="largest callback gas limit a request may ask for")] = 1_000_000,
    threshold_bps: Annotated[
        int, typer.Option(help="credit models: the pool's decline threshold the fairness report is made at")
    ] = 2000,
    min_air: Annotated[
        float, typer.Option(help="credit models: refuse when a protected group's adverse-impact ratio is lower")
    ] = 0.8,
    owner_keystore: Annotated[
        Path | None,
        typer.Option(help="the coordinator owner's keystore (`oracle keys import`); else the configured node key"),
    ] = None,
    owner_password_file: Annotated[
        Path | None, typer.Option(help="the owner keystore's password file (default <keystore>.password)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Registers a model (or a new version of it) by the sha256 of its artifact and schema.
    Sent from the owner's keystore (--owner-keystore) or else the configured key, which must own the
    coordinator. A model with a fairness audit (credit risk) shows it first, at --threshold-bps, and is
    refused below --min-air."""
    from oracle.chain.pricing import ModelPricing
    from oracle.cli_models import fairness_report
    from oracle.keys import load_keystore
    from oracle.ml.model import LoadedModel

    settings = settings_or_exit(config)
    runtime = runtime_for(settings)
    try:
        settings.check_models_dir()
        model = LoadedModel.from_dir(settings.models_dir / name)
        if "fairness" in model.report and fairness_report(name, settings.models_dir, threshold_bps, min_air):
            raise OracleError(f"not registering {name}: adverse impact past --min-air {min_air} (see above)")
        coordinator, w3 = runtime.coordinator, runtime.w3
        account = load_keystore(owner_keystore, owner_password_file) if owner_keystore else runtime.account
        owner = coordinator.owner()
        if owner != account.address:
            source = f"--owner-keystore {owner_keystore}" if owner_keystore else "the configured node key"
            raise ConfigError(
                f"{source} ({account.address}) does not own the coordinator {coordinator.address} (owner {owner}): "
                "pass the owner's keystore with --owner-keystore (`oracle keys import` makes one from its key)"
            )
        mid = model_id(name)
        registration = coordinator.model(mid)
        if registration is None:
            pricing = ModelPricing(fee_wei, int(gas_price_gwei * 10**9), max_callback_gas)
            tx = coordinator.register_model_tx(account.address, mid, model.artifact_hash, model.schema_hash, pricing)
        elif registration.matches(model.artifact_hash, model.schema_hash):
            console.print(f"{name} is already registered as v{registration.version} with these hashes")
            return
        else:
            tx = coordinator.update_model_tx(account.address, mid, model.artifact_hash, model.schema_hash)
        receipt = w3.eth.wait_for_transaction_receipt(
            # web3 builds the transaction as TxParams, the dict eth-account signs under another name
            w3.eth.send_raw_transaction(account.sign_transaction(cast("TransactionDictType", tx)).raw_transaction)
        )
    except OracleError as error:
        raise _fail(error) from None
    if receipt["status"] != 1:
        raise _fail(OracleError(f"registration reverted in tx 0x{bytes(receipt['transactionHash']).hex()}"))
    after = coordinator.model(mid)
    if after is None:
        raise _fail(OracleError(f"{name}: the registration was mined but the coordinator does not show it"))
    console.print(f"[green]{name} registered as v{after.version}[/] (model id 0x{mid.hex()})")


def _request_row(request: StoredRequest) -> list[str]:
    value = "-" if request.status is None else f"{request.status.name} {request.value}"
    return [
        "0x" + request.request_id.hex(),
        request.state.value,
        value,
        str(request.block_number),
        request.request.consumer,
        request.error or "",
    ]


@requests_app.command("list")
def requests_list(
    config: ConfigOption = None,
    state: Annotated[State | None, typer.Option(help="only requests in this state")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """The newest requests in the node's store, and how many there are in each state."""
    store = runtime_for(settings_or_exit(config)).store
    rows = store.search(state=state, limit=limit)
    if as_json:
        for request in rows:
            print(
                json.dumps(
                    dict(
                        zip(
                            ("request_id", "state", "answer", "block", "consumer", "error"),
                            _request_row(request),
                            strict=True,
                        )
                    )
                )
            )
        return
    table = Table("request id", "state", "answer", "block", "consumer", "error", title="requests (newest first)")
    for request in rows:
        table.add_row(*_request_row(request))
    console.print(table)
    counts = store.counts_by_state()
    console.print("  ".join(f"{s.value}: {n}" for s, n in counts.items()))


@requests_app.command("show")
def requests_show(request_id: str, config: ConfigOption = None) -> None:
    """Everything the store holds about one request."""
    store = runtime_for(settings_or_exit(config)).store
    request = store.get(_request_id(request_id))
    if request is None:
        raise _fail(OracleError(f"request {request_id} is not in the store"))
    table = Table(show_header=False)
    for key, value in {
        "request id": "0x" + request.request_id.hex(),
        "state": request.state.value,
        "model id": "0x" + request.request.model_id.hex(),
        "artifact sha256": request.request.artifact_hash.hex(),
        "input hash": "0x" + request.request.input_hash.hex(),
        "consumer": request.request.consumer,
        "features": ", ".join(map(str, request.features)),
        "deadline": datetime.datetime.fromtimestamp(request.request.deadline, datetime.UTC).isoformat(),
        "requested in block": str(request.block_number),
        "answer": "-" if request.status is None else f"{request.status.name} {request.value}",
        "transaction": "-" if request.tx_id is None else f"#{request.tx_id}",
        "settled in block": str(request.settled_block or "-"),
        "sends": str(request.sends),
        "error": request.error or "-",
    }.items():
        table.add_row(key, value)
    console.print(table)


def _request_id(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        console.print("[red]a request id is 32 bytes of hex (0x + 64 digits)[/]")
        raise typer.Exit(2)
    return raw


@app.command("verify")
def verify(
    request_id: str,
    config: ConfigOption = None,
    features: Annotated[
        Path | None,
        typer.Option(help='a private request\'s features and salt: JSON {"salt": "0x...", "features": [...]}'),
    ] = None,
) -> None:
    """Replays a fulfilled prediction from its on-chain events and the published model; exit 1 on mismatch.
    A private request is replayed with --features; without them its signatures and artifact are still checked."""
    from oracle.verify import verify_request

    settings = settings_or_exit(config)
    runtime = runtime_for(settings)
    try:
        opened = None
        if features is not None:
            data = json.loads(features.read_text())
            opened = (bytes.fromhex(str(data["salt"]).removeprefix("0x")), tuple(int(f) for f in data["features"]))
        result = verify_request(
            runtime.coordinator, settings.models_dir, _request_id(request_id), settings.start_block or 0, opened
        )
    except (OSError, ValueError, KeyError) as error:
        raise _fail(OracleError(f"--features: {error}")) from None
    except OracleError as error:
        raise _fail(error) from None
    on_chain, replayed = result.on_chain, result.replayed
    shown = "private (not given)" if result.features is None else str(list(result.features))
    console.print(
        f"request 0x{result.request_id.hex()}\n"
        f"  model {result.model_name}, artifact sha256 {result.request.artifact_hash.hex()}\n"
        f"  input commitment 0x{result.request.input_hash.hex()}\n"
        f"  features {shown} (requested in block {result.requested_block})\n"
        f"  signed by {len(result.signers)} registered signers: {', '.join(result.signers)}\n"
        f"  on chain: {on_chain[0].name} {on_chain[1]} (block {result.fulfilled_block})"
    )
    if replayed is None:
        console.print("[yellow]SIGNATURES AND ARTIFACT VERIFIED[/]: pass --features FILE (features and salt) to replay")
        return
    console.print(f"  replayed: {replayed[0].name} {replayed[1]}")
    if not result.matches:
        console.print("[red bold]MISMATCH[/]")
        raise typer.Exit(1)
    console.print("[green bold]MATCH[/]")


if __name__ == "__main__":
    app()
