"""Settings: environment over file over defaults, messages that name the variable, keys handled safely."""

import json

import pytest
from eth_account import Account

from oracle.config import ConfigError, load_settings
from oracle.keys import node_account

COORDINATOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
KEY = "0x" + "42" * 32
BASE = {"ORACLE_RPC_URL": "http://127.0.0.1:8545", "ORACLE_COORDINATOR": COORDINATOR.lower()}


def test_environment_values_are_validated_and_normalised():
    settings = load_settings(
        environ={**BASE, "ORACLE_CONFIRMATIONS": "3", "ORACLE_MODELS": "credit-risk, delivery-delay"}
    )
    assert settings.coordinator == COORDINATOR
    assert settings.confirmations == 3
    assert settings.models == ("credit-risk", "delivery-delay")


def test_missing_values_are_named_by_their_variable():
    with pytest.raises(ConfigError) as error:
        load_settings(environ={})
    assert "ORACLE_RPC_URL is not set" in str(error.value)
    assert "ORACLE_COORDINATOR is not set" in str(error.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORACLE_COORDINATOR", "0x1234", "not an Ethereum address"),
        ("ORACLE_RPC_URL", "ws://x", "http:// or https://"),
        ("ORACLE_CONFIRMATIONS", "-1", "ORACLE_CONFIRMATIONS"),
        ("ORACLE_FEE_BUMP_PERCENT", "5", "ORACLE_FEE_BUMP_PERCENT"),
        ("ORACLE_LOG_LEVEL", "LOUD", "ORACLE_LOG_LEVEL"),
    ],
)
def test_wrong_values_are_refused_with_the_variable_name(variable, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={**BASE, variable: value})


def test_file_then_environment_then_overrides(tmp_path):
    config = tmp_path / "oracle.toml"
    config.write_text(
        f'[oracle]\nrpc_url = "http://10.0.0.1:8545"\ncoordinator = "{COORDINATOR}"\nconfirmations = 5\nmax_batch = 7\n'
    )
    settings = load_settings(config, environ={"ORACLE_CONFIRMATIONS": "2"}, max_batch=9)
    assert (settings.rpc_url, settings.confirmations, settings.max_batch) == ("http://10.0.0.1:8545", 2, 9)
    config.write_text('[oracle]\nrpc_urll = "http://x"\n')
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(config, environ={})


def test_raw_key_only_on_local_chains_and_never_in_messages():
    settings = load_settings(environ={**BASE, "ORACLE_PRIVATE_KEY": KEY})
    assert node_account(settings, lambda: 31337).address == Account.from_key(KEY).address
    with pytest.raises(ConfigError, match="local chains only") as error:
        node_account(settings, lambda: 11155111)
    assert KEY[2:] not in str(error.value) and KEY[2:] not in repr(settings)
    bad = load_settings(environ={**BASE, "ORACLE_PRIVATE_KEY": "0xnot-a-key"})
    with pytest.raises(ConfigError, match="not a 32-byte hex private key") as error:
        node_account(bad, lambda: 31337)
    assert "not-a-key" not in str(error.value)


def test_keystore_with_password_file(tmp_path):
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, "s3cret", iterations=2)))
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    env = {**BASE, "ORACLE_KEYSTORE": str(keystore), "ORACLE_KEYSTORE_PASSWORD_FILE": str(password)}
    assert node_account(load_settings(environ=env), lambda: 11155111).address == Account.from_key(KEY).address
    password.write_text("wrong")
    with pytest.raises(ConfigError, match="cannot decrypt"):
        node_account(load_settings(environ=env), lambda: 1)
    with pytest.raises(ConfigError, match="needs ORACLE_KEYSTORE_PASSWORD"):
        load_settings(environ={**BASE, "ORACLE_KEYSTORE": str(keystore)})
    with pytest.raises(ConfigError, match="either a keystore or a private key"):
        load_settings(environ={**env, "ORACLE_PRIVATE_KEY": KEY})


def test_api_settings_from_the_environment():
    settings = load_settings(
        environ={
            **BASE,
            "ORACLE_API_CORS_ORIGINS": "https://app.example, http://localhost:3000",
            "ORACLE_API_REPORT_VALIDITY": "120",
            "ORACLE_API_WEBHOOK_DELIVERY": "false",
        }
    )
    assert settings.api_cors_origins == ("https://app.example", "http://localhost:3000")
    assert settings.api_report_validity == 120
    assert settings.api_webhook_delivery is False


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ORACLE_API_CORS_ORIGINS": "https://app.example/path"}, "ORACLE_API_CORS_ORIGINS: .*is not an origin"),
        ({"ORACLE_API_CORS_ORIGINS": "app.example"}, "is not an origin"),
        ({"ORACLE_API_REPORT_VALIDITY": "600", "ORACLE_API_MAX_REPORT_VALIDITY": "300"}, "exceeds"),
        ({"ORACLE_API_MAX_BATCH": "0"}, "ORACLE_API_MAX_BATCH"),
    ],
)
def test_wrong_api_settings_are_refused(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={**BASE, **environ})


def test_the_example_settings_file_loads():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "oracle.example.toml"
    settings = load_settings(example, environ={})
    assert settings.keystore is not None and settings.private_key is None
    assert settings.confirmations >= 1
    assert len(settings.peer_endpoints) == 3 and settings.serve_api


def test_peers_are_read_as_signer_address_at_url():
    settings = load_settings(
        environ={
            **BASE,
            "ORACLE_PEERS": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8@http://10.0.0.2:8000/ , "
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC@https://node.example",
        }
    )
    assert settings.peer_endpoints == (
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "http://10.0.0.2:8000"),
        ("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "https://node.example"),
    )


@pytest.mark.parametrize(
    "peers, message",
    [
        ("http://node.example", "not SIGNER_ADDRESS@API_URL"),
        ("0x1234@http://node.example", "not SIGNER_ADDRESS@API_URL"),
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8@node.example", "must start with http"),
        (
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8@http://a,0x70997970C51812dc3A010C7d01b50e0d17dc79C8@http://b",
            "listed twice",
        ),
    ],
)
def test_peers_refuse_entries_that_name_no_signer_or_url(peers, message):
    with pytest.raises(ConfigError, match=f"ORACLE_PEERS: .*{message}"):
        load_settings(environ={**BASE, "ORACLE_PEERS": peers})


def test_confirmations_default_to_zero_on_local_chains_only():
    settings = load_settings(environ=BASE)
    assert [settings.confirmations_on(chain_id) for chain_id in (31337, 1337, 11155111, 1)] == [0, 0, 1, 1]
    assert load_settings(environ={**BASE, "ORACLE_CONFIRMATIONS": "2"}).confirmations_on(31337) == 2


def test_a_key_in_the_environment_replaces_the_files_key(tmp_path):
    config = tmp_path / "oracle.toml"
    config.write_text('[oracle]\nkeystore = "keys/node.json"\nkeystore_password_file = "keys/node.password"\n')
    settings = load_settings(config, environ={**BASE, "ORACLE_PRIVATE_KEY": KEY})
    assert settings.keystore is None and settings.keystore_password_file is None
    assert settings.private_key.get_secret_value() == KEY


def test_cors_origins_default_to_local_development_and_can_be_none():
    assert load_settings(environ=BASE).api_cors_origins == ("http://127.0.0.1:5173", "http://localhost:5173")
    assert load_settings(environ={**BASE, "ORACLE_API_CORS_ORIGINS": "none"}).api_cors_origins == ()
