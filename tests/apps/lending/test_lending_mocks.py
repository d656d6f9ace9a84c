"""The lending mocks: a Chainlink-shaped price feed and mintable tokens for local chains."""

import brownie

from tests.apps.lending.lending import INITIAL_PRICE, PRICE_DECIMALS, USD
from tests.helpers import custom_error, plain


def test_price_feed_has_chainlink_shape(feed, chain):
    assert feed.decimals() == PRICE_DECIMALS
    assert feed.description() == "mETH / mUSD"
    assert feed.version() == 4
    round_id, answer, started_at, updated_at, answered_in = plain(feed.latestRoundData())
    assert (round_id, answer, answered_in) == (1, INITIAL_PRICE, 1)
    assert started_at == updated_at == chain[feed.tx.block_number].timestamp


def test_price_feed_posts_rounds_and_keeps_history(feed, owner, chain):
    tx = feed.setAnswer(1_500 * 10**PRICE_DECIMALS, {"from": owner})
    assert plain(tx.events["AnswerUpdated"].values()) == [1_500 * 10**PRICE_DECIMALS, 2, tx.timestamp]
    assert plain(feed.latestRoundData()) == [2, 1_500 * 10**PRICE_DECIMALS, tx.timestamp, tx.timestamp, 2]
    assert plain(feed.getRoundData(1))[1] == INITIAL_PRICE


def test_price_feed_dates_a_round_as_told(feed, owner):
    feed.setRoundData(-5, 1_000, {"from": owner})
    assert plain(feed.latestRoundData()) == [2, -5, 1_000, 1_000, 2]


def test_price_feed_reverts_for_unknown_round(feed):
    with brownie.reverts(custom_error(feed, "MockPriceFeedNoData", 7)):
        feed.getRoundData(7)


def test_price_feed_only_owner_posts(feed, user):
    with brownie.reverts(custom_error(feed, "OwnableUnauthorizedAccount", user.address)):
        feed.setAnswer(1, {"from": user})
    with brownie.reverts(custom_error(feed, "OwnableUnauthorizedAccount", user.address)):
        feed.setRoundData(1, 1, {"from": user})


def test_tokens_have_their_decimals_and_anyone_mints_locally(stablecoin, collateral, user, chain):
    assert chain.id == 31337
    assert (stablecoin.decimals(), collateral.decimals()) == (6, 18)
    stablecoin.mint(user, 5 * USD, {"from": user})
    assert stablecoin.balanceOf(user) == 5 * USD
    assert (stablecoin.symbol(), collateral.symbol()) == ("mUSD", "mETH")
