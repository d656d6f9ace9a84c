"""Deploys the OracleCoordinator and its AttestationRegistry: `python -m scripts.run deploy [--network sepolia]`.

Signers come from ORACLE_SIGNERS and the threshold from ORACLE_THRESHOLD (default 1); on a local
chain the anvil development signer is used when ORACLE_SIGNERS is unset. A threshold that tolerates no
faulty signer (f = 0) over more than one signer is refused unless ORACLE_ALLOW_UNSAFE_THRESHOLD=1: at most
f faulty signers needs n >= 3f + 1 signers and a threshold k >= 2f + 1, for example 3-of-4.
Merges the addresses, the threshold and the signers into deployments/<chain id>.json.
With ORACLE_TIMELOCK_DELAY (seconds) set, both contracts are then owned by a TimelockController with that delay
(scripts/timelock.py): recommended for any deployment others rely on.
"""

import os

from oracle.network.quorum import tolerated_faults
from scripts.deployment import (
    ALLOW_UNSAFE_THRESHOLD,
    deploy_attestation_registry,
    deploy_coordinator,
    deployer,
    save_deployment,
    signer_addresses,
)
from scripts.timelock import hand_to_timelock, timelock_delay


def main():
    owner = deployer()
    signers = signer_addresses()
    threshold = int(os.environ.get("ORACLE_THRESHOLD", "1"))
    allow_unsafe = os.environ.get(ALLOW_UNSAFE_THRESHOLD) == "1"
    coordinator = deploy_coordinator(owner, signers, threshold, allow_unsafe)
    registry = deploy_attestation_registry(owner, coordinator)
    contracts = {"OracleCoordinator": coordinator.address, "AttestationRegistry": registry.address}
    if (delay := timelock_delay()) is not None:
        timelock = hand_to_timelock(owner, [coordinator, registry], delay)
        owner = (
            f"OracleTimelock (OpenZeppelin TimelockController) {timelock.address} "
            f"(delay {delay} s, proposer and executor {owner})"
        )
        contracts["OracleTimelock"] = timelock.address
    path = save_deployment(
        contracts=contracts,
        threshold=threshold,
        nodes=[{"signer": signer} for signer in signers],
        startBlock=coordinator.tx.block_number,
    )
    faults = tolerated_faults(len(signers), threshold)
    print(
        f"OracleCoordinator {coordinator.address}: {threshold}-of-{len(signers)} signers, tolerates f = {faults} "
        f"faulty signers, owner {owner}"
    )
    print(f"AttestationRegistry {registry.address}: trusts no attester until its owner calls setAttester")
    print(f"addresses saved to {path}")
