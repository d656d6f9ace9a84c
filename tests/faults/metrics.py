"""Reads the node's fault metrics as a scrape would see them."""

from oracle.chain.fault_metrics import REGISTRY


def sample(name: str, **labels: str) -> float:
    """The current value of `name` (with `labels`), 0 before it was first set."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
