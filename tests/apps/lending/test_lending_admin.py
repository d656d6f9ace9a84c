"""LendingPool construction and the owner's policy and settings: validation, events, access."""

from dataclasses import replace

import brownie
import pytest

from tests.apps.lending.conftest import CREDIT_RISK
from tests.apps.lending.lending import POLICY, SETTINGS, Policy, Settings
from tests.helpers import custom_error, hx, plain

ZERO = "0x" + "00" * 20
DAY = 24 * 3600


def deploy(
    LendingPool, owner, stablecoin, collateral, feed, coordinator, model=CREDIT_RISK, policy=POLICY, settings=SETTINGS
):
    return LendingPool.deploy(
        stablecoin, collateral, feed, coordinator, model, policy.as_abi(), settings.as_abi(), owner, {"from": owner}
    )


def test_constructor_stores_wiring_and_emits_configuration(
    LendingPool, owner, stablecoin, collateral, feed, coordinator
):
    pool = deploy(LendingPool, owner, stablecoin, collateral, feed, coordinator)

    assert pool.asset() == stablecoin.address
    assert pool.collateralToken() == collateral.address
    assert pool.priceFeed() == feed.address
    assert pool.coordinator() == coordinator.address
    assert pool.modelId() == hx(CREDIT_RISK)
    assert pool.owner() == owner
    assert pool.decimals() == 12  # the asset's 6 and the 6 of the virtual-share offset
    assert plain(pool.policy()) == list(POLICY.as_abi())
    assert plain(pool.settings()) == list(SETTINGS.as_abi())
    events = pool.tx.events
    assert plain(events["PolicyChanged"]["policy"]) == list(POLICY.as_abi())
    assert plain(events["SettingsChanged"]["settings"]) == list(SETTINGS.as_abi())


@pytest.mark.parametrize("position", range(4))
def test_constructor_reverts_on_zero_address(LendingPool, owner, stablecoin, collateral, feed, coordinator, position):
    wiring = [stablecoin.address, collateral.address, feed.address, coordinator.address]
    wiring[position] = ZERO
    with brownie.reverts(custom_error(LendingPool, "LendingPoolZeroAddress")):
        deploy(LendingPool, owner, *wiring)


def test_constructor_reverts_on_zero_model_id(LendingPool, owner, stablecoin, collateral, feed, coordinator):
    with brownie.reverts(custom_error(LendingPool, "LendingPoolZeroAddress")):
        deploy(LendingPool, owner, stablecoin, collateral, feed, coordinator, model=bytes(32))


def test_constructor_reverts_if_collateral_is_the_asset(LendingPool, owner, stablecoin, feed, coordinator):
    with brownie.reverts(custom_error(LendingPool, "LendingPoolSameToken", stablecoin.address)):
        deploy(LendingPool, owner, stablecoin, stablecoin, feed, coordinator)


def test_constructor_reverts_on_invalid_policy(LendingPool, owner, stablecoin, collateral, feed, coordinator):
    with brownie.reverts(custom_error(LendingPool, "LendingPoolInvalidMaxPd", 10_001)):
        deploy(LendingPool, owner, stablecoin, collateral, feed, coordinator, policy=replace(POLICY, max_pd_bps=10_001))


def test_constructor_reverts_on_invalid_settings(LendingPool, owner, stablecoin, collateral, feed, coordinator):
    with brownie.reverts(custom_error(LendingPool, "LendingPoolInvalidRequestTtl", 0)):
        deploy(
            LendingPool,
            owner,
            stablecoin,
            collateral,
            feed,
            coordinator,
            settings=replace(SETTINGS, request_ttl_seconds=0),
        )


def test_set_policy_stores_and_emits(pool, owner):
    new = Policy(3_000, 300, 7_000, 6_000, 3_000, 8_000, 1_000, 2 * DAY)
    tx = pool.setPolicy(new.as_abi(), {"from": owner})
    assert plain(pool.policy()) == list(new.as_abi())
    assert plain(tx.events["PolicyChanged"]["policy"]) == list(new.as_abi())


def test_set_policy_accepts_boundaries(pool, owner):
    edge = Policy(10_000, 0, 10_000, 9_999, 9_998, 10_000, 0, 365 * DAY)
    pool.setPolicy(edge.as_abi(), {"from": owner})
    assert plain(pool.policy()) == list(edge.as_abi())


def test_set_policy_reverts_for_non_owner(pool, user):
    with brownie.reverts(custom_error(pool, "OwnableUnauthorizedAccount", user.address)):
        pool.setPolicy(POLICY.as_abi(), {"from": user})


@pytest.mark.parametrize(
    ("change", "error", "args"),
    [
        ({"max_pd_bps": 10_001}, "LendingPoolInvalidMaxPd", (10_001,)),
        ({"base_apr_bps": 6_000, "apr_slope_bps": 4_001}, "LendingPoolAprTooHigh", (10_001, 10_000)),
        ({"max_ltv_bps": 0, "ltv_slope_bps": 0}, "LendingPoolInvalidLtv", (0, 0, 8_500)),
        ({"ltv_slope_bps": 7_500}, "LendingPoolInvalidLtv", (7_500, 7_500, 8_500)),
        ({"max_ltv_bps": 8_500}, "LendingPoolInvalidLtv", (8_500, 2_500, 8_500)),
        ({"liquidation_bonus_bps": 1_765}, "LendingPoolInvalidLiquidationBonus", (8_500, 1_765)),
        (
            {"liquidation_threshold_bps": 10_001, "liquidation_bonus_bps": 0},
            "LendingPoolInvalidLiquidationBonus",
            (10_001, 0),
        ),
        ({"draw_window_seconds": 0}, "LendingPoolInvalidDrawWindow", (0,)),
        ({"draw_window_seconds": 365 * DAY + 1}, "LendingPoolInvalidDrawWindow", (365 * DAY + 1,)),
    ],
)
def test_set_policy_reverts_on_invalid_field(pool, owner, change, error, args):
    with brownie.reverts(custom_error(pool, error, *args)):
        pool.setPolicy(replace(POLICY, **change).as_abi(), {"from": owner})


def test_liquidation_bonus_just_within_threshold_is_accepted(pool, owner):
    # 8,500 * (10,000 + 1,764) = 99,994,000 <= 10,000 ** 2
    pool.setPolicy(replace(POLICY, liquidation_bonus_bps=1_764).as_abi(), {"from": owner})
    assert pool.policy()[6] == 1_764


def test_set_settings_stores_and_emits(pool, owner):
    new = Settings(600, 250_000, 120)
    tx = pool.setSettings(new.as_abi(), {"from": owner})
    assert plain(pool.settings()) == list(new.as_abi())
    assert plain(tx.events["SettingsChanged"]["settings"]) == list(new.as_abi())


def test_set_settings_reverts_for_non_owner(pool, user):
    with brownie.reverts(custom_error(pool, "OwnableUnauthorizedAccount", user.address)):
        pool.setSettings(SETTINGS.as_abi(), {"from": user})


@pytest.mark.parametrize(
    ("change", "error", "value"),
    [
        ({"request_ttl_seconds": 0}, "LendingPoolInvalidRequestTtl", 0),
        ({"request_ttl_seconds": 30 * DAY + 1}, "LendingPoolInvalidRequestTtl", 30 * DAY + 1),
        ({"callback_gas_limit": 9_999}, "LendingPoolInvalidCallbackGas", 9_999),
        ({"callback_gas_limit": 2_500_001}, "LendingPoolInvalidCallbackGas", 2_500_001),
        ({"max_price_age_seconds": 0}, "LendingPoolInvalidMaxPriceAge", 0),
        ({"max_price_age_seconds": 7 * DAY + 1}, "LendingPoolInvalidMaxPriceAge", 7 * DAY + 1),
    ],
)
def test_set_settings_reverts_on_invalid_field(pool, owner, change, error, value):
    with brownie.reverts(custom_error(pool, error, value)):
        pool.setSettings(replace(SETTINGS, **change).as_abi(), {"from": owner})


def test_ownership_moves_in_two_steps(pool, owner, user):
    pool.transferOwnership(user, {"from": owner})
    assert pool.owner() == owner
    pool.acceptOwnership({"from": user})
    assert pool.owner() == user
    with brownie.reverts(custom_error(pool, "OwnableUnauthorizedAccount", owner.address)):
        pool.setSettings(SETTINGS.as_abi(), {"from": owner})


def test_pool_refuses_ether_from_anyone_but_the_coordinator(pool, user):
    with brownie.reverts(custom_error(pool, "OracleConsumerUnexpectedEther", user.address)):
        user.transfer(pool, 1)
