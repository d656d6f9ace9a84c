"""Prometheus metrics of the chain faults the node handles: outcomes re-applied, drops, abandoned transactions,
nonces another sender used, reorgs, answers from archived artifacts.

They live on their own registry, REGISTRY, which the node process exposes beside its other metrics; the parts
that count increment them where the fault is handled. Counters only go up, so a test reads the difference.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry(auto_describe=True)

OUTCOMES_REAPPLIED = Counter(
    "oracle_tx_outcomes_reapplied",
    "transaction outcomes handed to their requests from the journal, after a failure stopped the tick that "
    "recorded them",
    registry=REGISTRY,
)
DROP_EVIDENCE_WITHDRAWN = Counter(
    "oracle_tx_drop_evidence_withdrawn",
    "transactions that looked dropped (nonce used, no receipt) but whose receipt then appeared",
    registry=REGISTRY,
)
TX_DROPPED = Counter(
    "oracle_tx_dropped",
    "transactions declared dropped: their nonce was used by a transaction not among their attempts",
    registry=REGISTRY,
)
TX_ABANDONED = Counter(
    "oracle_tx_abandoned",
    "pending transactions abandoned because the chain no longer has the nonces below them (chain reset)",
    registry=REGISTRY,
)
FOREIGN_NONCES = Counter(
    "oracle_foreign_nonces",
    "nonces of the node's key used by transactions this node did not send (another process with the same key)",
    registry=REGISTRY,
)
REORGS = Counter(
    "oracle_reorgs",
    "reorgs the listener rewound; beyond_depth=true when the fork was deeper than REORG_DEPTH",
    ["beyond_depth"],
    registry=REGISTRY,
)
REORG_FORK_BLOCK = Gauge(
    "oracle_reorg_fork_block",
    "first block the listener re-read after the latest reorg",
    registry=REGISTRY,
)
ARCHIVED_ARTIFACT_LOADS = Counter(
    "oracle_model_archived_artifact_loads",
    "older model versions loaded from the archive to answer requests committed to them",
    ["model"],
    registry=REGISTRY,
)
