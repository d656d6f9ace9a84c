"""Puts deployed contracts behind an OpenZeppelin TimelockController, so that every owner action (model pricing,
signers, threshold, pause, a pool's credit policy) is scheduled in public and runs only after a delay users can
see and act on. Used by `deploy` when ORACLE_TIMELOCK_DELAY (seconds) is set; recommended on every testnet.

The timelock is deployed with no delay, accepts each contract's ownership (Ownable2Step: the new owner must call
acceptOwnership, here through the timelock itself), then raises its own delay to ORACLE_TIMELOCK_DELAY and the
deployer gives up its admin role: from then on the deployer is only the timelock's proposer and executor.
"""

from __future__ import annotations

import os

from brownie import OracleTimelock, web3
from eth_utils import keccak

TIMELOCK_DELAY = "ORACLE_TIMELOCK_DELAY"
ZERO_PREDECESSOR = b"\x00" * 32


def timelock_delay() -> int | None:
    """ORACLE_TIMELOCK_DELAY in seconds, None when unset; exits on anything but a positive integer."""
    raw = os.environ.get(TIMELOCK_DELAY, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) == 0:
        raise SystemExit(f"{TIMELOCK_DELAY} must be a positive number of seconds, got {raw!r}")
    return int(raw)


def hand_to_timelock(deployer, owned: list, delay_seconds: int):
    """Deploys a TimelockController with `deployer` as proposer and executor, makes it the owner of every contract
    in `owned` (Ownable2Step), sets its delay to `delay_seconds` and drops the deployer's admin role."""
    timelock = OracleTimelock.deploy(0, [deployer], [deployer], deployer, {"from": deployer})
    for contract in owned:
        contract.transferOwnership(timelock, {"from": deployer})
        _run(timelock, deployer, contract.address, contract.acceptOwnership.encode_input())
    _run(timelock, deployer, timelock.address, timelock.updateDelay.encode_input(delay_seconds))
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer, {"from": deployer})
    return timelock


def _run(timelock, deployer, target: str, data: str) -> None:
    """Schedules and executes one call while the timelock's delay is still zero."""
    salt = keccak(text=f"{target} {data} {web3.eth.block_number}")
    timelock.schedule(target, 0, data, ZERO_PREDECESSOR, salt, 0, {"from": deployer})
    timelock.execute(target, 0, data, ZERO_PREDECESSOR, salt, {"from": deployer})
