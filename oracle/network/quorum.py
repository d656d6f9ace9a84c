"""How many faulty signers a k-of-n signer set tolerates, and the threshold to choose for n signers.

The coordinator answers with the lower median of k sorted values. With at most f faulty signers that
median lies between two honest values only if k >= 2f + 1 (safety: the f faulty values cannot reach the
middle from either side); and the n - f honest signers alone must still make a quorum, n - f >= k
(liveness: faulty signers that stay silent cannot stall every request). Both hold for n >= 3f + 1.
"""

from __future__ import annotations


def tolerated_faults(n: int, k: int) -> int:
    """The largest f for which n signers with threshold k stay safe and live: min((k - 1) // 2, n - k)."""
    if not 1 <= k <= n:
        raise ValueError(f"the threshold k must be between 1 and the number of signers n: k = {k}, n = {n}")
    return min((k - 1) // 2, n - k)


def recommended_threshold(n: int) -> int:
    """k = 2f + 1 for the most faults n signers can tolerate, f = (n - 1) // 3: 1 for n = 1..3, 3 for n = 4."""
    if n < 1:
        raise ValueError(f"a signer set has at least one signer, got n = {n}")
    return 2 * ((n - 1) // 3) + 1


def unsafe_threshold_reason(n: int, k: int) -> str | None:
    """Why threshold k over n > 1 signers tolerates no faulty signer (f = 0), or None when it tolerates one,
    or when n = 1 (a single signer is trusted by construction: a local chain, a demo)."""
    f = tolerated_faults(n, k)
    if f > 0 or n == 1:
        return None
    recommended = recommended_threshold(n)
    if tolerated_faults(n, recommended) == 0:
        advice = f"no threshold makes {n} signers tolerate a faulty one: use n >= 4 signers with k = 3 (f = 1)"
    else:
        advice = f"use k = {recommended}, which tolerates f = {tolerated_faults(n, recommended)}"
    return (
        f"threshold k = {k} over n = {n} signers tolerates f = 0 faulty signers (safety needs k >= 2f + 1, "
        f"liveness n - f >= k): one faulty signer can move the answer outside the honest values or stall requests; "
        f"{advice}"
    )
