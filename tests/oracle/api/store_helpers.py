"""Puts requests into a store the way the node moves them, for the API to read."""

from eth_utils import to_checksum_address

from oracle.store.checkpoints import Checkpoint
from oracle.store.requests import RequestStore, SeenRequest
from oracle.types import Request, Status, input_hash
from tests.oracle.api.conftest import CREDIT_RISK

CONSUMER = "0x" + "aa" * 20


def request_id(n: int) -> bytes:
    return n.to_bytes(32, "big")


def seen(n: int, consumer: str = CONSUMER, model: bytes = CREDIT_RISK, features=(3, 12, 35)) -> SeenRequest:
    request = Request(
        model, b"\x01" * 32, input_hash(features), to_checksum_address(consumer), 10**15, 2_000_000_000, 150_000
    )
    return SeenRequest(request_id(n), request, tuple(features), 100 + n, bytes([n]) * 32, 0, bytes([n + 1]) * 32)


def confirm(store: RequestStore, n: int, value: int, status: Status = Status.OK, model: bytes = CREDIT_RISK) -> bytes:
    """Request n seen, predicted, signed, sent in tx 1 and confirmed in block 200 + n."""
    rid = request_id(n)
    store.add_seen([seen(n, model=model)], Checkpoint(100 + n, bytes([n]) * 32))
    store.mark_predicted([(rid, status, value)], inference_ms=1.0)
    store.mark_signed([(rid, b"\x07" * 64)])
    store.mark_sent([rid], 1)
    store.mark_confirmed([rid], 200 + n)
    return rid
