"""What the brownie scripts share: who deploys, which keys sign on a local chain, where addresses are saved."""

from __future__ import annotations

import os
from pathlib import Path

from brownie import AttestationRegistry, OracleCoordinator, accounts, chain, network, web3
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, to_checksum_address

from oracle.chain.pricing import ModelPricing
from oracle.network.quorum import tolerated_faults, unsafe_threshold_reason
from scripts import deployments_file

# DEPLOYMENTS_DIR: another folder for the file (a rehearsal that must not touch the checkout's records)
DEPLOYMENTS = Path(os.environ.get("DEPLOYMENTS_DIR") or Path(__file__).resolve().parent.parent / "deployments")
LOCAL_CHAIN_IDS = {31337, 1337}
ALLOW_UNSAFE_THRESHOLD = "ORACLE_ALLOW_UNSAFE_THRESHOLD"

# What a local deployment (`make demo`, `make up`) charges: a base fee plus each request's callback and fulfilment
# gas at 2 gwei (the nodes decline a request whose fee does not cover its answer at the chain's gas price);
# callbacks may ask for up to 1M gas.
LOCAL_PRICING = ModelPricing(fee_wei=10**14, gas_price_wei=2 * 10**9, max_callback_gas_limit=1_000_000)

# anvil's 10th public development account: known to everyone, so only ever used on a local chain.
ANVIL_DEV_SIGNER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"


def is_local() -> bool:
    """A chain only this machine runs (anvil's or ganache's chain id), whatever the network is called."""
    return chain.id in LOCAL_CHAIN_IDS


def deployer():
    """accounts[0] on a local chain; the key in DEPLOYER_PRIVATE_KEY anywhere else."""
    if is_local():
        return accounts[0]
    key = os.environ.get("DEPLOYER_PRIVATE_KEY")
    if not key:
        raise SystemExit(f"DEPLOYER_PRIVATE_KEY is not set: it is needed to deploy to {network.show_active()}")
    return accounts.add(key)


def local_signer() -> LocalAccount:
    if not is_local():
        raise SystemExit("the public anvil development key only signs on a local chain")
    return Account.from_key(ANVIL_DEV_SIGNER_KEY)


def signer_addresses() -> list[str]:
    """ORACLE_SIGNERS (comma-separated addresses), or the anvil development signer on a local chain."""
    configured = [a.strip() for a in os.environ.get("ORACLE_SIGNERS", "").split(",") if a.strip()]
    if configured:
        invalid = [a for a in configured if not is_address(a)]
        if invalid:
            raise SystemExit(f"ORACLE_SIGNERS: {', '.join(invalid)} is not an address")
        return [to_checksum_address(a) for a in configured]
    if is_local():
        return [local_signer().address]
    raise SystemExit("ORACLE_SIGNERS is not set: list the oracle nodes' signer addresses, comma-separated")


def check_threshold(signer_count: int, threshold: int, allow_unsafe: bool = False) -> int:
    """The faulty signers a `threshold`-of-`signer_count` set tolerates. Exits if that is none with more than
    one signer (extra signers that add no safety only add keys to steal), unless `allow_unsafe`, then warns."""
    if not 1 <= threshold <= signer_count:
        raise SystemExit(f"the threshold must be between 1 and the {signer_count} signers, got {threshold}")
    reason = unsafe_threshold_reason(signer_count, threshold)
    if reason is not None and not allow_unsafe:
        raise SystemExit(f"refusing to deploy: {reason} (set {ALLOW_UNSAFE_THRESHOLD}=1 to deploy anyway)")
    if reason is not None:
        print(f"warning: {reason}; deploying anyway since {ALLOW_UNSAFE_THRESHOLD}=1")
    return tolerated_faults(signer_count, threshold)


def deploy_coordinator(owner, signers: list[str], threshold: int, allow_unsafe_threshold: bool = False):
    """Deploys with `threshold` of `signers`, after `check_threshold`."""
    check_threshold(len(signers), threshold, allow_unsafe_threshold)
    return OracleCoordinator.deploy(owner, signers, threshold, {"from": owner})


def deploy_attestation_registry(owner, coordinator):
    """Deploys the AttestationRegistry (owned by `owner`) and makes it the coordinator's: consumers and nodes
    then check data providers' attestations against it. Trust attesters with registry.setAttester."""
    registry = AttestationRegistry.deploy(owner, {"from": owner})
    coordinator.setAttestationRegistry(registry, {"from": owner})
    return registry


def save_deployment(**parts) -> Path:
    """Merges `parts` into deployments/<chain id>.json (the format in the README's "Local stack" section):
    `contracts`, `models` and `attesters` are merged key by key, anything else replaces its field, and keys
    another script wrote stay. On a local chain the RPC URL is recorded too (a live one may carry an API key)."""
    fields = {"chainId": chain.id, **parts}
    if is_local():
        fields.setdefault("rpcUrl", web3.provider.endpoint_uri)
    return deployments_file.merge(DEPLOYMENTS / f"{chain.id}.json", fields)


def deployed(name: str) -> str | None:
    """The address of `name` (e.g. "OracleCoordinator") in this chain's deployments file, if recorded."""
    return deployments_file.read(DEPLOYMENTS / f"{chain.id}.json").get("contracts", {}).get(name)


def deployed_coordinator():
    """The OracleCoordinator this chain's deployments file names (or ORACLE_COORDINATOR): what the apps use."""
    address = os.environ.get("ORACLE_COORDINATOR") or deployed("OracleCoordinator")
    if not address:
        raise SystemExit(
            f"no OracleCoordinator for chain id {chain.id}: deploy it first (python -m scripts.run deploy) "
            "or set ORACLE_COORDINATOR"
        )
    return OracleCoordinator.at(address)


def address_setting(name: str) -> str | None:
    """An address from the environment variable `name`, checked; None when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not is_address(value):
        raise SystemExit(f"{name}: {value!r} is not an address")
    return to_checksum_address(value)
