// A data provider's EIP-712 Attestation {subject, modelId, inputHash, expiresAt}, the twin of
// oracle/privacy/attestation.py and AttestationRegistry.sol. A bureau signs it with any EIP-712 signer
// (viem's signTypedData, a wallet's eth_signTypedData_v4); the applicant passes expiresAt and the signature.
import type { Address, Hex, TypedDataDomain } from "viem";

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "subject", type: "address" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "expiresAt", type: "uint64" },
  ],
} as const;

export interface Attestation {
  /** the address the features describe (the applicant, who sends the transaction) */
  subject: Address;
  modelId: Hex;
  /** the features' commitment (inputCommitment(salt, features)) */
  inputHash: Hex;
  /** unix seconds, chain time */
  expiresAt: bigint;
}

export function attestationDomain(chainId: number, registry: Address): TypedDataDomain {
  return { name: "OracleAttestations", version: "1", chainId, verifyingContract: registry };
}

/** Arguments for signTypedData: `account.signTypedData(attestationTypedData(...))`. */
export function attestationTypedData(chainId: number, registry: Address, attestation: Attestation) {
  return {
    domain: attestationDomain(chainId, registry),
    types: ATTESTATION_TYPES,
    primaryType: "Attestation" as const,
    message: attestation,
  };
}

export interface SignedAttestation {
  expiresAt: bigint;
  /** 65 bytes: r, s, v */
  signature: Hex;
}
