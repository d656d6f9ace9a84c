"""Field types shared by the API's bodies."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import AfterValidator, Field

HEX32_PATTERN = r"^0x[0-9a-fA-F]{64}$"
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"

EXAMPLE_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
EXAMPLE_CONSUMER = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
EXAMPLE_MODEL_ID = "0x" + "6f" * 32

Hex32 = Annotated[str, Field(pattern=HEX32_PATTERN, examples=["0x" + "ab" * 32])]
HexBytes = Annotated[str, Field(pattern=r"^0x([0-9a-fA-F]{2})*$", examples=["0x" + "12" * 64])]
AddressOut = Annotated[str, Field(pattern=ADDRESS_PATTERN, examples=[EXAMPLE_ADDRESS])]
# fixed-point integers (int256 on chain)
Int256 = Annotated[int, Field(ge=-(2**255), le=2**255 - 1)]


@lru_cache(maxsize=4_096)  # each check is a keccak; a dApp's requests name the same few addresses
def checksum_address(value: str) -> str:
    """Any-case hex address -> checksummed; a mixed-case one must carry a valid EIP-55 checksum."""
    digits = value[2:]
    if not is_address(value) or (
        digits != digits.lower() and digits != digits.upper() and not is_checksum_address(value)
    ):
        raise ValueError("not an Ethereum address (0x + 40 hex digits, with a valid EIP-55 checksum if mixed-case)")
    return to_checksum_address(value)


AddressIn = Annotated[str, Field(pattern=ADDRESS_PATTERN, examples=[EXAMPLE_ADDRESS]), AfterValidator(checksum_address)]


def hx(value: bytes) -> str:
    return "0x" + bytes(value).hex()
