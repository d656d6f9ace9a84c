"""EIP-1559 fee arithmetic: initial fees, replacements that outbid a held attempt, re-pricing an evicted one."""

import logging

import pytest

from oracle.chain import fees
from oracle.chain.fees import bumped, capped, initial_fees, replacement_fees

GWEI = 10**9


def test_bumped_rounds_up():
    assert bumped(100, 25) == 125
    assert bumped(101, 10) == 112  # 111.1 rounded up
    assert bumped(0, 25) == 0


def test_initial_fees_leave_room_for_the_base_fee_to_double():
    assert initial_fees(30 * GWEI, 2 * GWEI, None) == (62 * GWEI, 2 * GWEI)


@pytest.mark.parametrize(
    ("cap", "expected"),
    [(50 * GWEI, (50 * GWEI, 2 * GWEI)), (GWEI, (GWEI, GWEI)), (100 * GWEI, (62 * GWEI, 2 * GWEI))],
)
def test_initial_fees_are_capped_and_the_priority_fee_never_exceeds_the_max_fee(cap, expected):
    assert initial_fees(30 * GWEI, 2 * GWEI, cap) == expected


def test_capped_without_a_cap_keeps_the_fees():
    assert capped(10, 3, None) == (10, 3)


def test_replacement_of_a_held_attempt_outbids_it_by_the_bump():
    # Today's fees are lower than the old attempt's: the bump decides.
    assert replacement_fees(40 * GWEI, 2 * GWEI, 10 * GWEI, GWEI, 25, None) == (50 * GWEI, 2_500_000_000)


def test_replacement_meets_todays_fees_when_they_are_higher_than_the_bump():
    max_fee, priority = replacement_fees(40 * GWEI, 2 * GWEI, 30 * GWEI, 3 * GWEI, 25, None)

    assert priority == 3 * GWEI
    assert max_fee == 2 * 30 * GWEI + 3 * GWEI


def test_replacement_of_a_held_attempt_is_refused_when_the_cap_leaves_less_than_the_pools_ten_percent():
    assert replacement_fees(40 * GWEI, 2 * GWEI, 10 * GWEI, GWEI, 25, 43 * GWEI) is None
    assert replacement_fees(40 * GWEI, 2 * GWEI, 10 * GWEI, GWEI, 25, 44 * GWEI) == (44 * GWEI, 2_500_000_000)


def test_an_attempt_no_pool_holds_is_repriced_to_todays_fees_without_a_bump():
    assert replacement_fees(GWEI, GWEI, 10 * GWEI, GWEI, 0, None) == (21 * GWEI, GWEI)


def test_an_attempt_no_pool_holds_is_not_replaced_when_today_asks_no_more_than_it_offers():
    assert replacement_fees(50 * GWEI, 2 * GWEI, 10 * GWEI, GWEI, 0, None) is None


def test_an_attempt_no_pool_holds_never_gets_lower_fees():
    assert replacement_fees(50 * GWEI, 2 * GWEI, 30 * GWEI, GWEI, 0, None) == (62 * GWEI, 2 * GWEI)


@pytest.fixture
def warnings_due(monkeypatch):
    monkeypatch.setattr(fees, "_cap_warning", fees._Throttled(fees.CAP_WARNING_SECONDS))


@pytest.mark.usefixtures("warnings_due")
def test_a_binding_cap_is_reported_with_todays_fee_and_the_cap(caplog):
    with caplog.at_level(logging.WARNING, logger="oracle.chain.fees"):
        assert replacement_fees(50 * GWEI, GWEI, 199 * GWEI, GWEI, 0, 50 * GWEI) is None
        initial_fees(199 * GWEI, GWEI, 50 * GWEI)  # within the minute: not repeated
    [warning] = [r.getMessage() for r in caplog.records]
    assert "fee cap of 50 gwei is below today's fee of 200 gwei" in warning
    assert "4.0x over it" in warning and "wait until the base fee falls under the cap" in warning


@pytest.mark.usefixtures("warnings_due")
def test_no_cap_warning_while_todays_fee_fits(caplog):
    with caplog.at_level(logging.WARNING, logger="oracle.chain.fees"):
        initial_fees(30 * GWEI, 2 * GWEI, 50 * GWEI)  # the doubling room is clipped, today's fee is not
    assert caplog.records == []


def test_the_default_settings_cap_the_fee():
    from oracle.config import load_settings

    settings = load_settings(environ={}, rpc_url="http://127.0.0.1:8545", coordinator="0x" + "11" * 20)
    assert settings.max_fee_per_gas_cap == 500 * GWEI
