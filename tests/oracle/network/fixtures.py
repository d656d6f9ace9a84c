"""Signers, a request and observations of it, made with real keys (anvil's development keys)."""

from eth_account import Account

from oracle.chain.eip712 import CoordinatorDomain, domain_separator
from oracle.chain.signer import ObservationSigner
from oracle.network.observation import Observation
from oracle.types import Request, Status

KEYS = [bytes.fromhex(f"{i:064x}") for i in range(101, 108)]
DOMAIN = CoordinatorDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
SEPARATOR = domain_separator(DOMAIN)
SIGNERS = [ObservationSigner(Account.from_key(key), DOMAIN) for key in KEYS]
REQUEST = Request(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, "0x" + "44" * 20, 10**15, 2_000_000_000, 100_000)
REQUEST_ID = b"\x09" * 32


def observe(
    signer: ObservationSigner,
    value: int,
    status: Status = Status.OK,
    request: Request = REQUEST,
    request_id: bytes = REQUEST_ID,
) -> Observation:
    signature = signer.sign_observation(request_id, request, status, value)
    return Observation.of(request_id, request, status, value, signer.address, signature)
