"""What the network's routes work with: built by the runtime next to ApiServices."""

from __future__ import annotations

from dataclasses import dataclass

from oracle.api.rate_limit import RateLimiter
from oracle.network.intake import ObservationIntake
from oracle.network.pull_cosign import PullCosigner
from oracle.network.pull_quorum import PullQuorum
from oracle.store.observations import ObservationStore


@dataclass
class NetworkApi:
    observations: ObservationStore
    intake: ObservationIntake
    cosigner: PullCosigner | None
    quorum: PullQuorum | None  # None: pull reports carry this node's signature alone
    limiter: RateLimiter
    rate_limit: int  # posts per minute per client address
