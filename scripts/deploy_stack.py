"""Everything `make up` deploys on its local anvil, in one brownie run (`python -m scripts.run deploy_stack`):
the coordinator (the four demo signers, threshold 3) with its AttestationRegistry, every model in models/
registered by the sha256 of its files, the demo consumer, the lending pool with mock tokens, a price feed
and 1,000,000 mUSD of lenders' deposits, the supply-chain escrow, and the demo credit bureau trusted as an
attester of credit-risk (the pool checks an attestation with every application; the bureau's key is a public
test key, written to the file for the example page to sign with).
Each part is merged into deployments/31337.json; `make up` adds the nodes' keys and URLs once they run.
"""

from __future__ import annotations

from brownie import AttestationRegistry, ConsumerMock, accounts
from eth_account import Account

from oracle.ml.model import LoadedModel
from oracle.ml.registry import model_dirs
from oracle.types import model_id
from scripts import deploy_lending, deploy_supply
from scripts.demo_network import local_signers
from scripts.deployment import LOCAL_PRICING, deploy_attestation_registry, deploy_coordinator, is_local, save_deployment
from scripts.lending_scenario import BUREAU_KEY, MODEL_NAME, USD
from scripts.project import ROOT

NODES, THRESHOLD = 4, 3
LIQUIDITY = 1_000_000 * USD


def register_models(coordinator, owner) -> dict[str, str]:
    """Registers every model directory; returns name -> 0x model id."""
    registered = {}
    for name, path in model_dirs(ROOT / "models").items():
        model = LoadedModel.from_dir(path)
        coordinator.registerModel(
            model_id(name), model.artifact_hash, model.schema_hash, LOCAL_PRICING.as_abi(), {"from": owner}
        )
        registered[name] = "0x" + model_id(name).hex()
    return registered


def seed_pool(pool, stablecoin_address: str, owner) -> None:
    from brownie import MockStablecoin

    stablecoin = MockStablecoin.at(stablecoin_address)
    stablecoin.mint(owner, LIQUIDITY, {"from": owner})
    stablecoin.approve(pool, LIQUIDITY, {"from": owner})
    pool.deposit(LIQUIDITY, owner, {"from": owner})


def main():
    if not is_local():
        raise SystemExit("deploy_stack signs with anvil's public development keys: run it on a local chain")
    owner = accounts[0]
    signers = [s.address for s in local_signers(NODES)]
    coordinator = deploy_coordinator(owner, signers, THRESHOLD)
    registry = deploy_attestation_registry(owner, coordinator)
    consumer = ConsumerMock.deploy(coordinator, {"from": owner})
    models = register_models(coordinator, owner)
    bureau = Account.from_key(BUREAU_KEY).address
    AttestationRegistry.at(registry.address).setAttester(model_id(MODEL_NAME), bureau, True, {"from": owner})
    save_deployment(
        contracts={
            "OracleCoordinator": coordinator.address,
            "AttestationRegistry": registry.address,
            "ConsumerMock": consumer.address,
        },
        models=models,
        threshold=THRESHOLD,
        nodes=[{"signer": signer} for signer in signers],
        attesters={"demo-bureau": bureau},
        attesterKeys={"demo-bureau": "0x" + bytes(BUREAU_KEY).hex()},  # a public test key: local chains only
        startBlock=coordinator.tx.block_number,
        abiDir="js/client/abi",
    )
    pool = deploy_lending.deploy(owner, coordinator)
    seed_pool(pool, pool.asset(), owner)
    escrow = deploy_supply.deploy(owner, coordinator)
    print(
        f"OracleCoordinator {coordinator.address} ({THRESHOLD}-of-{NODES}), LendingPool {pool.address}, "
        f"SupplyChainEscrow {escrow.address}: {', '.join(models)} registered"
    )
