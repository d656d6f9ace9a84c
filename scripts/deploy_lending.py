"""Deploys the LendingPool on the deployed coordinator: `python -m scripts.run deploy_lending [--network sepolia]`.

The pool lends a stablecoin against a collateral token priced by a Chainlink-shaped feed, with credit
decisions from the `credit-risk` model (register it on the coordinator before the first application). On a
local chain it deploys mock tokens (mUSD, 6 decimals; mETH, 18 decimals; anyone may mint them there) and a
mock feed at 2,000 mUSD per mETH. Elsewhere it uses LENDING_STABLECOIN, LENDING_COLLATERAL and
LENDING_PRICE_FEED (addresses), or deploys the mocks with LENDING_DEPLOY_MOCKS=1 (then only the deployer
can mint). Merges the addresses into deployments/<chain id>.json.
"""

from __future__ import annotations

import os

from brownie import LendingPool, MockCollateralToken, MockPriceFeed, MockStablecoin

from oracle.types import model_id
from scripts.deployment import address_setting, deployed_coordinator, deployer, is_local, save_deployment
from scripts.lending_scenario import MODEL_NAME, POLICY, PRICE, PRICE_DECIMALS, SETTINGS


def _tokens(owner) -> dict[str, str]:
    configured = {
        "Stablecoin": address_setting("LENDING_STABLECOIN"),
        "CollateralToken": address_setting("LENDING_COLLATERAL"),
        "PriceFeed": address_setting("LENDING_PRICE_FEED"),
    }
    if all(configured.values()):
        return configured
    if not (is_local() or os.environ.get("LENDING_DEPLOY_MOCKS") == "1"):
        missing = [
            name
            for name, value in zip(
                ("LENDING_STABLECOIN", "LENDING_COLLATERAL", "LENDING_PRICE_FEED"), configured.values(), strict=True
            )
            if not value
        ]
        raise SystemExit(f"set {', '.join(missing)} (addresses), or LENDING_DEPLOY_MOCKS=1 to deploy mock tokens")
    sender = {"from": owner}
    return {
        "Stablecoin": configured["Stablecoin"] or MockStablecoin.deploy("Mock USD", "mUSD", 6, owner, sender).address,
        "CollateralToken": configured["CollateralToken"]
        or MockCollateralToken.deploy("Mock Ether", "mETH", 18, owner, sender).address,
        "PriceFeed": configured["PriceFeed"]
        or MockPriceFeed.deploy(PRICE_DECIMALS, "mETH / mUSD", PRICE, owner, sender).address,
    }


def deploy(owner, coordinator):
    """The pool and its tokens; returns the pool. Records every address in the deployments file."""
    tokens = _tokens(owner)
    pool = LendingPool.deploy(
        tokens["Stablecoin"],
        tokens["CollateralToken"],
        tokens["PriceFeed"],
        coordinator,
        model_id(MODEL_NAME),
        POLICY,
        SETTINGS,
        owner,
        {"from": owner},
    )
    save_deployment(
        contracts={**tokens, "LendingPool": pool.address}, models={MODEL_NAME: "0x" + model_id(MODEL_NAME).hex()}
    )
    return pool


def main():
    owner = deployer()
    pool = deploy(owner, deployed_coordinator())
    print(f"LendingPool {pool.address} on coordinator {pool.coordinator()}, model {MODEL_NAME}, owner {owner}")
