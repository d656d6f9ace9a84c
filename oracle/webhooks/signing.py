"""How webhook POSTs are signed, and how a receiver checks them.

The body is compact JSON holding the event, the delivery id, the attempt number and `sent_at` (unix
seconds, also sent as the X-Oracle-Timestamp header). X-Oracle-Signature is "sha256=" + the hex
HMAC-SHA256 of the exact body bytes under the webhook's secret. A receiver recomputes the HMAC over the
raw body, compares in constant time, refuses a `sent_at` too far from its clock (replays), and
de-duplicates on `delivery_id` (a delivery may arrive more than once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGNATURE_HEADER = "X-Oracle-Signature"
TIMESTAMP_HEADER = "X-Oracle-Timestamp"
DELIVERY_HEADER = "X-Oracle-Delivery"
EVENT_HEADER = "X-Oracle-Event"
SIGNATURE_SCHEME = "sha256="


def encode_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    return SIGNATURE_SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str, now: float, tolerance_seconds: float = 300) -> bool:
    """True if `header` signs `body` under `secret` and the body's sent_at is within the tolerance."""
    if not hmac.compare_digest(signature(secret, body), header):
        return False
    try:
        sent_at = float(json.loads(body)["sent_at"])
    except (ValueError, KeyError, TypeError):
        return False
    return abs(now - sent_at) <= tolerance_seconds
