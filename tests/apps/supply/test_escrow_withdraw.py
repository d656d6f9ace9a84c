"""SupplyChainEscrow: pull payments of token credits and of refunded oracle fees."""

import brownie

from tests.apps.supply.shipments import CONDITION_FEE_WEI, DELAY_FEE_WEI, PRICE
from tests.helpers import custom_error, plain


def released(driver, escrow):
    """A shipment settled with the whole price credited to the supplier."""
    shipment_id, _ = driver.delivered(0)
    driver.past_dispute_window(shipment_id)
    escrow.finalize(shipment_id, {"from": driver.relayer})
    return shipment_id


def test_withdraw_pays_credit_once(driver, escrow, token):
    released(driver, escrow)
    supplier = driver.supplier

    tx = escrow.withdraw(token, supplier, {"from": supplier})

    assert plain(tx.events["Withdrawn"].values()) == [supplier.address, token.address, supplier.address, PRICE]
    assert token.balanceOf(supplier) == PRICE
    assert escrow.creditOf(token, supplier) == 0
    assert token.balanceOf(escrow) == 0
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", supplier.address)):
        escrow.withdraw(token, supplier, {"from": supplier})


def test_withdraw_to_another_address(driver, escrow, token, accounts):
    released(driver, escrow)
    escrow.withdraw(token, accounts[8], {"from": driver.supplier})
    assert token.balanceOf(accounts[8]) == PRICE


def test_withdraw_reverts_without_credit(escrow, token, carrier):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", carrier.address)):
        escrow.withdraw(token, carrier, {"from": carrier})


def test_withdraw_reverts_if_recipient_zero(driver, escrow, token):
    released(driver, escrow)
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroAddress")):
        escrow.withdraw(token, brownie.ZERO_ADDRESS, {"from": driver.supplier})


def test_refusing_recipient_blocks_only_its_own_withdrawal(driver, escrow, token, owner, arbiter, accounts):
    token.setBlocked(driver.supplier, True, {"from": owner})
    shipment_id, _ = driver.delivered(0, late=True)
    driver.past_dispute_window(shipment_id)
    escrow.finalize(shipment_id, {"from": driver.relayer})
    penalty = int(escrow.creditOf(token, driver.buyer))

    with brownie.reverts(custom_error(token, "MisbehavingEscrowTokenBlocked", driver.supplier.address)):
        escrow.withdraw(token, driver.supplier, {"from": driver.supplier})
    escrow.withdraw(token, driver.buyer, {"from": driver.buyer})
    escrow.withdraw(token, accounts[8], {"from": driver.supplier})

    assert penalty > 0
    assert token.balanceOf(accounts[8]) == PRICE - penalty
    assert token.balanceOf(escrow) == 0


def test_withdraw_fee_refund_pulls_from_coordinator_once(driver, escrow, coordinator, accounts):
    shipment_id = driver.in_transit()
    driver.expire(driver.deliver(shipment_id))
    payee = accounts[8]
    before = payee.balance()

    tx = escrow.withdrawFeeRefund(payee, {"from": driver.carrier})

    assert plain(tx.events["FeeRefundWithdrawn"].values()) == [driver.carrier.address, payee.address, CONDITION_FEE_WEI]
    assert payee.balance() - before == CONDITION_FEE_WEI
    assert escrow.feeRefundOf(driver.carrier) == 0
    assert coordinator.balanceOf(escrow) == 0
    assert escrow.balance() == 0
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", driver.carrier.address)):
        escrow.withdrawFeeRefund(payee, {"from": driver.carrier})


def test_second_fee_refund_is_paid_from_what_the_first_pulled(driver, escrow, coordinator, accounts):
    shipment_id, _ = driver.create()
    driver.checkpoint(shipment_id)
    dispatch_tx = driver.dispatch(shipment_id)
    deliver_tx = driver.deliver(shipment_id)
    driver.expire(dispatch_tx)
    driver.expire(deliver_tx)
    assert coordinator.balanceOf(escrow) == DELAY_FEE_WEI + CONDITION_FEE_WEI

    escrow.withdrawFeeRefund(driver.carrier, {"from": driver.carrier})
    assert escrow.balance() == DELAY_FEE_WEI
    assert coordinator.balanceOf(escrow) == 0
    tx = escrow.withdrawFeeRefund(driver.supplier, {"from": driver.supplier})

    assert "Withdrawn" not in tx.events  # nothing pulled from the coordinator this time
    assert escrow.balance() == 0


def test_withdraw_fee_refund_reverts_without_refund(escrow, supplier):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowNothingToWithdraw", supplier.address)):
        escrow.withdrawFeeRefund(supplier, {"from": supplier})


def test_withdraw_fee_refund_reverts_if_recipient_zero(escrow, supplier):
    with brownie.reverts(custom_error(escrow, "SupplyChainEscrowZeroAddress")):
        escrow.withdrawFeeRefund(brownie.ZERO_ADDRESS, {"from": supplier})


def test_withdraw_fee_refund_reverts_if_recipient_refuses_ether(driver, escrow, token):
    shipment_id, _ = driver.create()
    driver.expire(driver.dispatch(shipment_id))
    expected = custom_error(escrow, "FailedCall")  # OpenZeppelin Address.sendValue
    with brownie.reverts(expected):
        escrow.withdrawFeeRefund(token, {"from": driver.supplier})  # the token has no receive function
    assert escrow.feeRefundOf(driver.supplier) == DELAY_FEE_WEI


def test_withdraw_cannot_be_reentered_by_the_token(driver, escrow, token):
    released(driver, escrow)
    reenter = escrow.withdraw.encode_input(token, driver.supplier)
    token.setTransferHook(escrow, reenter, {"from": driver.supplier})
    with brownie.reverts(custom_error(escrow, "ReentrancyGuardReentrantCall")):
        escrow.withdraw(token, driver.supplier, {"from": driver.supplier})
