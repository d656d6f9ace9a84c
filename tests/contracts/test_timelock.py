"""A testnet deploy can put the coordinator behind OpenZeppelin's TimelockController (scripts/timelock.py): the
owner's actions then wait the delay in public."""

import brownie

from scripts.timelock import ZERO_PREDECESSOR, hand_to_timelock
from tests.helpers import MODEL_ID, custom_error, flat_pricing

DELAY = 3_600


def test_timelock_owns_the_coordinator_and_delays_the_owners_actions(coordinator, owner, chain):
    timelock = hand_to_timelock(owner, [coordinator], DELAY)
    assert coordinator.owner() == timelock.address
    assert timelock.getMinDelay() == DELAY
    assert not timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), owner)
    with brownie.reverts(custom_error(coordinator, "OwnableUnauthorizedAccount", owner.address)):
        coordinator.setModelPricing(MODEL_ID, flat_pricing(1), {"from": owner})

    data = coordinator.setModelPricing.encode_input(MODEL_ID, flat_pricing(1))
    salt = b"\x01" * 32
    with brownie.reverts(revert_pattern="TimelockInsufficientDelay: .*"):
        timelock.schedule(coordinator, 0, data, ZERO_PREDECESSOR, salt, DELAY - 1, {"from": owner})
    timelock.schedule(coordinator, 0, data, ZERO_PREDECESSOR, salt, DELAY, {"from": owner})
    with brownie.reverts(revert_pattern="TimelockUnexpectedOperationState: .*"):
        timelock.execute(coordinator, 0, data, ZERO_PREDECESSOR, salt, {"from": owner})
    chain.sleep(DELAY + 1)
    timelock.execute(coordinator, 0, data, ZERO_PREDECESSOR, salt, {"from": owner})
    assert coordinator.getModel(MODEL_ID)[3] == 1
