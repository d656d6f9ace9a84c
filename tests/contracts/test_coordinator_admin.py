"""OracleCoordinator owner functions: model registry, signer set, threshold, pause and ownership."""

import brownie
import pytest
from eth_utils import keccak

from tests.helpers import FEE_WEI, MODEL_ID, custom_error, flat_pricing, hx, plain

NEW_MODEL = keccak(text="delivery-delay")
NEW_ARTIFACT = b"\x44" * 32
NEW_SCHEMA = b"\x55" * 32


# ---------------------------------------------------------------- deployment


def test_deploy_reverts_if_threshold_zero(OracleCoordinator, owner, signer_accounts):
    with brownie.reverts(custom_error(OracleCoordinator, "OracleCoordinatorInvalidThreshold", 0, 1)):
        OracleCoordinator.deploy(owner, [signer_accounts[0].address], 0, {"from": owner})


def test_deploy_reverts_if_threshold_above_signers(OracleCoordinator, owner, signer_accounts):
    with brownie.reverts(custom_error(OracleCoordinator, "OracleCoordinatorInvalidThreshold", 2, 1)):
        OracleCoordinator.deploy(owner, [signer_accounts[0].address], 2, {"from": owner})


def test_deploy_reverts_if_owner_zero(OracleCoordinator, owner, signer_accounts):
    with brownie.reverts(custom_error(OracleCoordinator, "OwnableInvalidOwner", brownie.ZERO_ADDRESS)):
        OracleCoordinator.deploy(brownie.ZERO_ADDRESS, [signer_accounts[0].address], 1, {"from": owner})


# ---------------------------------------------------------------- models


def test_register_model_stores_and_emits(coordinator, owner):
    tx = coordinator.registerModel(NEW_MODEL, NEW_ARTIFACT, NEW_SCHEMA, (7, 3, 400_000), {"from": owner})
    event = plain(tx.events["ModelRegistered"].values())
    assert event == [hx(NEW_MODEL), hx(NEW_ARTIFACT), hx(NEW_SCHEMA), [7, 3, 400_000]]
    assert plain(coordinator.getModel(NEW_MODEL)) == [hx(NEW_ARTIFACT), hx(NEW_SCHEMA), 1, 7, True, 400_000, 3]


def test_register_model_reverts_if_exists(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorModelExists", MODEL_ID)):
        coordinator.registerModel(MODEL_ID, NEW_ARTIFACT, NEW_SCHEMA, flat_pricing(7), {"from": owner})


@pytest.mark.parametrize("zeroed", ["model", "artifact", "schema"])
def test_register_model_reverts_if_hash_zero(coordinator, owner, zeroed):
    args = {"model": NEW_MODEL, "artifact": NEW_ARTIFACT, "schema": NEW_SCHEMA}
    args[zeroed] = b"\x00" * 32
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorZeroHash")):
        coordinator.registerModel(args["model"], args["artifact"], args["schema"], flat_pricing(7), {"from": owner})


def test_update_model_bumps_version_and_emits(coordinator, owner):
    tx = coordinator.updateModel(MODEL_ID, NEW_ARTIFACT, NEW_SCHEMA, {"from": owner})
    assert plain(tx.events["ModelVersioned"].values()) == [hx(MODEL_ID), 2, hx(NEW_ARTIFACT), hx(NEW_SCHEMA)]
    assert plain(coordinator.getModel(MODEL_ID)) == [
        hx(NEW_ARTIFACT),
        hx(NEW_SCHEMA),
        2,
        FEE_WEI,
        True,
        *flat_pricing()[2:],
        0,
    ]


def test_update_model_reverts_if_unknown(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", NEW_MODEL)):
        coordinator.updateModel(NEW_MODEL, NEW_ARTIFACT, NEW_SCHEMA, {"from": owner})


def test_update_model_reverts_if_hash_zero(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorZeroHash")):
        coordinator.updateModel(MODEL_ID, b"\x00" * 32, NEW_SCHEMA, {"from": owner})


def test_set_model_pricing_stores_and_emits(coordinator, owner):
    tx = coordinator.setModelPricing(MODEL_ID, (5, 2, 300_000), {"from": owner})
    assert plain(tx.events["ModelPricingChanged"].values()) == [hx(MODEL_ID), [5, 2, 300_000]]
    assert plain(coordinator.getModel(MODEL_ID))[3:] == [5, True, 300_000, 2]


def test_set_model_pricing_reverts_if_unknown(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", NEW_MODEL)):
        coordinator.setModelPricing(NEW_MODEL, flat_pricing(5), {"from": owner})


def test_set_model_pricing_reverts_if_callback_cap_above_coordinator_max(coordinator, owner):
    limit = coordinator.MAX_CALLBACK_GAS_LIMIT()
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorCallbackGasTooHigh", limit + 1, limit)):
        coordinator.setModelPricing(MODEL_ID, (5, 2, limit + 1), {"from": owner})


def test_set_model_active_emits(coordinator, owner):
    tx = coordinator.setModelActive(MODEL_ID, False, {"from": owner})
    assert plain(tx.events["ModelActivationChanged"].values()) == [hx(MODEL_ID), False]
    assert coordinator.getModel(MODEL_ID)[4] is False


def test_set_model_active_reverts_if_unknown(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownModel", NEW_MODEL)):
        coordinator.setModelActive(NEW_MODEL, False, {"from": owner})


# ---------------------------------------------------------------- signers and threshold


def test_add_signer_emits_and_lists(coordinator, owner, signer_accounts):
    tx = coordinator.addSigner(signer_accounts[1].address, {"from": owner})
    assert tx.events["SignerAdded"]["signer"] == signer_accounts[1].address
    assert coordinator.signers() == [signer_accounts[0].address, signer_accounts[1].address]
    assert coordinator.isSigner(signer_accounts[1].address)


def test_add_signer_reverts_if_exists(coordinator, owner, signer_accounts):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorSignerExists", signer_accounts[0].address)):
        coordinator.addSigner(signer_accounts[0].address, {"from": owner})


def test_add_signer_reverts_if_zero(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorZeroAddress")):
        coordinator.addSigner(brownie.ZERO_ADDRESS, {"from": owner})


def test_add_signer_reverts_past_max(OracleCoordinator, owner):
    many = [f"0x{i:040x}" for i in range(1, 256)]
    full = OracleCoordinator.deploy(owner, many[:150], 1, {"from": owner})  # 255 at once exceed a block
    for signer in many[150:]:
        full.addSigner(signer, {"from": owner})
    assert len(full.signers()) == 255
    with brownie.reverts(custom_error(full, "OracleCoordinatorTooManySigners", 255)):
        full.addSigner(f"0x{256:040x}", {"from": owner})


def test_remove_signer_emits_and_reindexes(coordinator, owner, signer_accounts):
    first, second, third = (a.address for a in signer_accounts[:3])
    coordinator.addSigner(second, {"from": owner})
    coordinator.addSigner(third, {"from": owner})
    tx = coordinator.removeSigner(first, {"from": owner})
    assert tx.events["SignerRemoved"]["signer"] == first
    assert coordinator.signers() == [third, second]
    assert not coordinator.isSigner(first)
    coordinator.removeSigner(third, {"from": owner})
    assert coordinator.signers() == [second]


def test_remove_signer_reverts_if_unknown(coordinator, owner, signer_accounts):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownSigner", signer_accounts[3].address)):
        coordinator.removeSigner(signer_accounts[3].address, {"from": owner})


def test_remove_signer_reverts_if_threshold_would_exceed_set(three_of_five, owner, signer_accounts):
    three_of_five.removeSigner(signer_accounts[4].address, {"from": owner})
    three_of_five.removeSigner(signer_accounts[3].address, {"from": owner})
    with brownie.reverts(custom_error(three_of_five, "OracleCoordinatorInvalidThreshold", 3, 2)):
        three_of_five.removeSigner(signer_accounts[2].address, {"from": owner})


def test_set_threshold_emits(three_of_five, owner):
    tx = three_of_five.setThreshold(5, {"from": owner})
    assert tx.events["ThresholdChanged"]["threshold"] == 5
    assert three_of_five.threshold() == 5


@pytest.mark.parametrize("threshold", [0, 2])
def test_set_threshold_reverts_if_out_of_range(coordinator, owner, threshold):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorInvalidThreshold", threshold, 1)):
        coordinator.setThreshold(threshold, {"from": owner})


# ---------------------------------------------------------------- access control, pause, ownership


@pytest.mark.parametrize(
    "call",
    [
        lambda c, a: c.registerModel(NEW_MODEL, NEW_ARTIFACT, NEW_SCHEMA, flat_pricing(1), {"from": a}),
        lambda c, a: c.updateModel(MODEL_ID, NEW_ARTIFACT, NEW_SCHEMA, {"from": a}),
        lambda c, a: c.setModelPricing(MODEL_ID, flat_pricing(1), {"from": a}),
        lambda c, a: c.setModelActive(MODEL_ID, False, {"from": a}),
        lambda c, a: c.addSigner(a, {"from": a}),
        lambda c, a: c.removeSigner(c.signers()[0], {"from": a}),
        lambda c, a: c.setThreshold(1, {"from": a}),
        lambda c, a: c.pause({"from": a}),
        lambda c, a: c.setAttestationRegistry(a, {"from": a}),
    ],
)
def test_owner_functions_revert_for_others(coordinator, user, call):
    with brownie.reverts(custom_error(coordinator, "OwnableUnauthorizedAccount", user.address)):
        call(coordinator, user)


def test_pause_and_unpause_emit(coordinator, owner):
    assert coordinator.pause({"from": owner}).events["Paused"]["account"] == owner
    assert coordinator.paused()
    assert coordinator.unpause({"from": owner}).events["Unpaused"]["account"] == owner
    assert not coordinator.paused()


def test_pause_reverts_if_paused(coordinator, owner):
    coordinator.pause({"from": owner})
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorPaused")):
        coordinator.pause({"from": owner})


def test_unpause_reverts_if_not_paused(coordinator, owner):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorNotPaused")):
        coordinator.unpause({"from": owner})


def test_ownership_transfer_takes_two_steps(coordinator, owner, user):
    tx = coordinator.transferOwnership(user, {"from": owner})
    assert plain(tx.events["OwnershipTransferStarted"].values()) == [owner.address, user.address]
    assert coordinator.owner() == owner
    accepted = coordinator.acceptOwnership({"from": user})
    assert plain(accepted.events["OwnershipTransferred"].values()) == [owner.address, user.address]
    assert coordinator.owner() == user


def test_accept_ownership_reverts_for_others(coordinator, owner, user, relayer):
    coordinator.transferOwnership(user, {"from": owner})
    with brownie.reverts(custom_error(coordinator, "OwnableUnauthorizedAccount", relayer.address)):
        coordinator.acceptOwnership({"from": relayer})


def test_model_view_of_unknown_model_is_empty(coordinator):
    assert plain(coordinator.getModel(NEW_MODEL)) == [hx(bytes(32)), hx(bytes(32)), 0, 0, False, 0, 0]
