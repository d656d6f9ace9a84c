"""Deploys the SupplyChainEscrow on the deployed coordinator: `python -m scripts.run deploy_supply [--network ...]`.

Shipments are judged by the `shipment-condition` and `delivery-delay` models (register both before the first
shipment). The deployer administers the escrow; it grants GATEWAY_ROLE to sensor gateways and ARBITER_ROLE to
arbiters (ESCROW_GATEWAY and ESCROW_ARBITER, addresses, are granted here when set; the deployer on a local
chain). The payment token is ESCROW_TOKEN, or a mock ERC-20 (18 decimals, anyone may mint) on a local chain or
with ESCROW_DEPLOY_MOCKS=1. Merges the addresses into deployments/<chain id>.json.
"""

from __future__ import annotations

import os

from brownie import MockEscrowToken, SupplyChainEscrow

from oracle.types import model_id
from scripts.deployment import address_setting, deployed_coordinator, deployer, is_local, save_deployment
from scripts.supply_chain_scenario import EscrowParameters

CONDITION_MODEL, DELAY_MODEL = "shipment-condition", "delivery-delay"


def deploy(owner, coordinator, parameters: EscrowParameters | None = None):
    """The escrow (and a mock token when none is configured); returns the escrow."""
    parameters = parameters or EscrowParameters()
    token = address_setting("ESCROW_TOKEN")
    if token is None:
        if not (is_local() or os.environ.get("ESCROW_DEPLOY_MOCKS") == "1"):
            raise SystemExit("set ESCROW_TOKEN (the payment token's address), or ESCROW_DEPLOY_MOCKS=1")
        token = MockEscrowToken.deploy({"from": owner}).address
    settings = (
        model_id(CONDITION_MODEL),
        model_id(DELAY_MODEL),
        parameters.delay_alert_bps,
        parameters.dispute_window_hours * 3_600,
        parameters.oracle_ttl_seconds,
    )
    escrow = SupplyChainEscrow.deploy(coordinator, owner, settings, {"from": owner})
    local_default = owner.address if is_local() else None
    for role, variable in ((escrow.GATEWAY_ROLE(), "ESCROW_GATEWAY"), (escrow.ARBITER_ROLE(), "ESCROW_ARBITER")):
        holder = address_setting(variable) or local_default
        if holder is not None:
            escrow.grantRole(role, holder, {"from": owner})
    save_deployment(
        contracts={"SupplyChainEscrow": escrow.address, "EscrowToken": token},
        models={name: "0x" + model_id(name).hex() for name in (CONDITION_MODEL, DELAY_MODEL)},
    )
    return escrow


def main():
    owner = deployer()
    escrow = deploy(owner, deployed_coordinator())
    print(f"SupplyChainEscrow {escrow.address} on coordinator {escrow.coordinator()}, admin {owner}")
