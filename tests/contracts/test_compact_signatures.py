"""CompactSignatures.recover agrees with OpenZeppelin's ECDSA.tryRecover on valid, tampered and malleable signatures."""

import pytest
from eth_account import Account
from eth_utils import keccak

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def harness(CompactSignaturesHarness, accounts):
    return CompactSignaturesHarness.deploy({"from": accounts[0]})


def compact(r: int, s: int, y_parity: int) -> tuple[bytes, bytes]:
    return r.to_bytes(32, "big"), ((y_parity << 255) | s).to_bytes(32, "big")


def signed(i: int) -> tuple[bytes, str, int, int, int]:
    account = Account.from_key(keccak(text=f"compact signer {i}"))
    digest = keccak(text=f"digest {i}")
    signature = Account.unsafe_sign_hash(digest, account.key)
    return digest, account.address, signature.r, signature.s, signature.v - 27


def both(harness, digest: bytes, r: bytes, vs: bytes, others: bytes = b"") -> tuple[str, str]:
    packed = others + r + vs
    return harness.recover(digest, packed, len(others) // 64), harness.tryRecover(digest, r, vs)


@pytest.mark.parametrize("i", range(6))
def test_recover_matches_openzeppelin(harness, i):
    digest, address, r, s, parity = signed(i)
    filler = bytes(64) * i  # the signature at index i of a packed list
    assert both(harness, digest, *compact(r, s, parity), filler) == (address, address)
    flipped = both(harness, digest, *compact(r, s, 1 - parity), filler)  # the other point: someone else or nobody
    assert flipped[0] == flipped[1] and flipped[0] != address
    # A high s (above half the order, still below 2**255 so the compact form can carry it) is refused as malleable.
    assert both(harness, digest, *compact(r, SECP256K1_N // 2 + 1 + i, parity)) == (ZERO, ZERO)


def test_recover_refuses_zero_and_out_of_range_r(harness):
    digest = keccak(text="digest")
    for r in (0, SECP256K1_N):
        assert both(harness, digest, *compact(r, 1, 0)) == (ZERO, ZERO)
