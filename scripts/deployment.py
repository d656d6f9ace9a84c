"""What the brownie scripts share: who deploys, which keys sign on a local chain, where addresses are saved."""

from __future__ import annotations

import json
import os
from pathlib import Path

from brownie import AttestationRegistry, OracleCoordinator, accounts, chain, network
from eth_account import Account
from eth_account.signers.local import LocalAccount

from oracle.network.quorum import tolerated_faults, unsafe_threshold_reason

DEPLOYMENTS = Path(__file__).resolve().parent.parent / "deployments"
LOCAL_CHAIN_IDS = {31337, 1337}
ALLOW_UNSAFE_THRESHOLD = "ORACLE_ALLOW_UNSAFE_THRESHOLD"

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
        return configured
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


def save_deployment(**addresses: str) -> Path:
    """Writes deployments/<chain id>.json for the node, the API and dApp frontends."""
    DEPLOYMENTS.mkdir(exist_ok=True)
    path = DEPLOYMENTS / f"{chain.id}.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing.update({"network": network.show_active(), "chain_id": chain.id, **addresses})
    path.write_text(json.dumps(existing, indent=2) + "\n")
    return path
