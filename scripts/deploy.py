"""Deploys the OracleCoordinator: `python -m scripts.run deploy [--network sepolia]`.

Signers come from ORACLE_SIGNERS and the threshold from ORACLE_THRESHOLD (default 1); on a local
chain the anvil development signer is used when ORACLE_SIGNERS is unset.
"""

import os

from scripts.deployment import deploy_coordinator, deployer, save_deployment, signer_addresses


def main():
    owner = deployer()
    signers = signer_addresses()
    threshold = int(os.environ.get("ORACLE_THRESHOLD", "1"))
    coordinator = deploy_coordinator(owner, signers, threshold)
    path = save_deployment(OracleCoordinator=coordinator.address)
    print(f"OracleCoordinator {coordinator.address}: {threshold}-of-{len(signers)} signers, owner {owner}")
    print(f"addresses saved to {path}")
