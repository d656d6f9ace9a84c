"""OracleCoordinator.cancel and withdraw: refunds after the deadline, fee payouts by withdrawal."""

from dataclasses import replace

import brownie

from oracle.types import Status
from tests.helpers import FEE_WEI, after_deadline, custom_error, hx, plain, signed_report


def test_cancel_after_deadline_refunds_and_notifies(coordinator, consumer, pending, relayer, chain):
    request_id, request = pending
    after_deadline(chain, request.deadline)

    tx = coordinator.cancel(request_id, request.as_abi(), {"from": relayer})

    assert plain(tx.events["PredictionCancelled"].values()) == [hx(request_id), consumer.address]
    assert "CallbackFailed" not in tx.events
    assert consumer.lastStatus() == Status.EXPIRED
    assert consumer.lastRequestId() == hx(request_id)
    assert coordinator.balanceOf(consumer) == FEE_WEI
    assert coordinator.commitmentOf(request_id) == "0x" + "00" * 32


def test_cancel_reverts_before_deadline(coordinator, pending, relayer):
    request_id, request = pending
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorRequestNotExpired", request_id, request.deadline)):
        coordinator.cancel(request_id, request.as_abi(), {"from": relayer})


def test_cancel_reverts_if_already_fulfilled(coordinator, pending, oracle_signers, relayer, chain):
    request_id, request = pending
    coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    after_deadline(chain, request.deadline)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorUnknownRequest", request_id)):
        coordinator.cancel(request_id, request.as_abi(), {"from": relayer})


def test_cancel_reverts_if_request_fields_differ(coordinator, pending, relayer, chain):
    request_id, request = pending
    after_deadline(chain, request.deadline)
    inflated = replace(request, fee_wei=FEE_WEI * 10)
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorCommitmentMismatch", request_id)):
        coordinator.cancel(request_id, inflated.as_abi(), {"from": relayer})


def test_cancel_works_while_paused(coordinator, pending, owner, relayer, chain):
    request_id, request = pending
    coordinator.pause({"from": owner})
    after_deadline(chain, request.deadline)
    tx = coordinator.cancel(request_id, request.as_abi(), {"from": relayer})
    assert "PredictionCancelled" in tx.events


def test_cancel_records_reverting_callback(coordinator, consumer, pending, relayer, chain):
    request_id, request = pending
    consumer.setBehaviour(1)
    after_deadline(chain, request.deadline)
    tx = coordinator.cancel(request_id, request.as_abi(), {"from": relayer})
    assert plain(tx.events["CallbackFailed"].values()) == [hx(request_id), consumer.address]
    assert coordinator.balanceOf(consumer) == FEE_WEI


def test_consumer_withdraws_refund(coordinator, consumer, pending, user, relayer, chain, accounts):
    request_id, request = pending
    after_deadline(chain, request.deadline)
    coordinator.cancel(request_id, request.as_abi(), {"from": relayer})
    payee = accounts[5]
    before = payee.balance()

    tx = consumer.withdrawRefunds(payee, {"from": user})

    assert payee.balance() - before == FEE_WEI
    assert plain(tx.events["Withdrawn"].values()) == [consumer.address, payee.address, FEE_WEI]
    assert coordinator.balanceOf(consumer) == 0


def test_signer_withdraws_earned_fees(coordinator, pending, oracle_signers, signer_accounts, relayer, accounts):
    request_id, request = pending
    coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    signer_address = oracle_signers[0].address
    accounts[0].transfer(signer_address, 10**17)
    signer = accounts.add(signer_accounts[0].key)
    payee = accounts[6]
    before = payee.balance()

    coordinator.withdraw(payee, {"from": signer})

    assert payee.balance() - before == FEE_WEI
    assert coordinator.balanceOf(signer_address) == 0
    assert coordinator.balance() == 0


def test_withdraw_reverts_if_nothing_owed(coordinator, user):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorNothingToWithdraw", user.address)):
        coordinator.withdraw(user, {"from": user})


def test_withdraw_reverts_if_recipient_zero(coordinator, user):
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorZeroAddress")):
        coordinator.withdraw(brownie.ZERO_ADDRESS, {"from": user})


def test_withdraw_reverts_if_recipient_refuses_ether(
    coordinator, pending, oracle_signers, signer_accounts, relayer, accounts
):
    request_id, request = pending
    coordinator.fulfill(*signed_report(oracle_signers[:1], request_id, request, [1]), {"from": relayer})
    accounts[0].transfer(oracle_signers[0].address, 10**17)
    signer = accounts.add(signer_accounts[0].key)
    refusing = coordinator  # has no receive function
    with brownie.reverts(custom_error(coordinator, "OracleCoordinatorTransferFailed", coordinator.address, FEE_WEI)):
        coordinator.withdraw(refusing, {"from": signer})
