"""The EIP-712 definitions of what a signer signs: the Python twin of contracts/libraries/ObservationHashing.sol."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.messages import SignableMessage, encode_typed_data

from oracle.types import PullReport, Report, Request, Status

DOMAIN_NAME = "OracleCoordinator"
DOMAIN_VERSION = "1"

OBSERVATION_TYPES = {
    "Observation": [
        {"name": "requestId", "type": "bytes32"},
        {"name": "modelId", "type": "bytes32"},
        {"name": "artifactHash", "type": "bytes32"},
        {"name": "inputHash", "type": "bytes32"},
        {"name": "status", "type": "uint8"},
        {"name": "value", "type": "int256"},
    ]
}

PULL_OBSERVATION_TYPES = {
    "PullObservation": [
        {"name": "subject", "type": "address"},
        {"name": "validUntil", "type": "uint64"},
        {"name": "modelId", "type": "bytes32"},
        {"name": "artifactHash", "type": "bytes32"},
        {"name": "inputHash", "type": "bytes32"},
        {"name": "status", "type": "uint8"},
        {"name": "value", "type": "int256"},
    ]
}


@dataclass(frozen=True)
class CoordinatorDomain:
    """Binds signatures to one coordinator on one chain."""

    chain_id: int
    verifying_contract: str

    def as_dict(self) -> dict:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


def observation_message(
    domain: CoordinatorDomain, request_id: bytes, request: Request, status: Status, value: int
) -> SignableMessage:
    return encode_typed_data(
        domain.as_dict(),
        OBSERVATION_TYPES,
        {
            "requestId": request_id,
            "modelId": request.model_id,
            "artifactHash": request.artifact_hash,
            "inputHash": request.input_hash,
            "status": int(status),
            "value": value,
        },
    )


def pull_observation_message(domain: CoordinatorDomain, report: PullReport, value: int) -> SignableMessage:
    return encode_typed_data(
        domain.as_dict(),
        PULL_OBSERVATION_TYPES,
        {
            "subject": report.subject,
            "validUntil": report.valid_until,
            "modelId": report.model_id,
            "artifactHash": report.artifact_hash,
            "inputHash": report.input_hash,
            "status": int(report.status),
            "value": value,
        },
    )


def report_messages(domain: CoordinatorDomain, report: Report) -> list[SignableMessage]:
    """One message per value of the report, in signature order."""
    return [observation_message(domain, report.request_id, report.request, report.status, v) for v in report.values]
