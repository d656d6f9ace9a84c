// A private request's input, byte for byte as oracle/privacy/envelope.py and commitment.py define it:
//   0x01 | n (1 byte) | n x [ signer address (20) | ECIES(node key, data key) (97) ] | nonce (12) |
//   AES-256-GCM ciphertext of abi.encode(bytes32 salt, int256[] features) | tag (16)
// with associated data "ai-oracle private input v1" || header. ECIES on secp256k1 with a compressed
// ephemeral key (HKDF-SHA256 over the uncompressed points, AES-256-GCM with a 16-byte nonce: eciesjs's
// and eciespy's defaults otherwise). Only the commitment goes on chain.
import { gcm } from "@noble/ciphers/aes";
import { encrypt as eciesEncrypt } from "eciesjs";
import { Config as EciesConfig } from "eciesjs/config";
import {
  bytesToHex,
  concatBytes,
  encodeAbiParameters,
  getAddress,
  hexToBytes,
  keccak256,
  stringToBytes,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { oracleCoordinatorAbi } from "./abi/index.js";
import type { Deployment } from "./deployments.js";

export const ENVELOPE_VERSION = 1;
export const WRAPPED_KEY_BYTES = 97;
const NONCE_BYTES = 12;
const ASSOCIATED_DATA = stringToBytes("ai-oracle private input v1");
const ECIES = Object.assign(new EciesConfig(), { isEphemeralKeyCompressed: true });

export interface Recipient {
  /** the node's signer address */
  address: Address;
  /** its secp256k1 encryption key as published with setEncryptionKey (33 bytes compressed, or 65) */
  publicKey: Hex;
}

export class PrivacyError extends Error {
  override name = "PrivacyError";
}

/** A fresh 32-byte salt: keeps the commitment of features from a small range from being brute-forced. */
export function newSalt(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** abi.encode(bytes32 salt, int256[] features): the plaintext of the envelope and the preimage of the commitment. */
export function encodeInput(salt: Hex, features: readonly bigint[]): Hex {
  if (hexToBytes(salt).length !== 32) throw new PrivacyError(`a salt is 32 bytes, got ${hexToBytes(salt).length}`);
  return encodeAbiParameters([{ type: "bytes32" }, { type: "int256[]" }], [salt, [...features]]);
}

/** keccak256(abi.encode(bytes32 salt, int256[] features)): the request's inputHash, what an attester signs. */
export function inputCommitment(salt: Hex, features: readonly bigint[]): Hex {
  return keccak256(encodeInput(salt, features));
}

/** Seals salt and features to every recipient: each node opens it with its own key, nobody else can. */
export function sealPrivateInput(salt: Hex, features: readonly bigint[], recipients: readonly Recipient[]): Hex {
  if (recipients.length < 1 || recipients.length > 255) {
    throw new PrivacyError(`a private input is sealed to 1..255 nodes, got ${recipients.length}`);
  }
  const dataKey = crypto.getRandomValues(new Uint8Array(32));
  const parts: Uint8Array[] = [Uint8Array.of(ENVELOPE_VERSION, recipients.length)];
  for (const recipient of recipients) {
    const key = hexToBytes(recipient.publicKey);
    if (key.length !== 33 && key.length !== 65) {
      throw new PrivacyError(`node ${recipient.address} has no secp256k1 encryption key (got ${key.length} bytes)`);
    }
    parts.push(hexToBytes(getAddress(recipient.address)), eciesEncrypt(key, dataKey, ECIES));
  }
  const header = concatBytes(parts);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = gcm(dataKey, nonce, concatBytes([ASSOCIATED_DATA, header])).encrypt(hexToBytes(encodeInput(salt, features)));
  return bytesToHex(concatBytes([header, nonce, sealed]));
}

/** The signer addresses a sealed input is addressed to, in order. */
export function recipientsOf(payload: Hex): Address[] {
  const bytes = hexToBytes(payload);
  if (bytes.length < 2 || bytes[0] !== ENVELOPE_VERSION) throw new PrivacyError(`not a version ${ENVELOPE_VERSION} private input`);
  const entry = 20 + WRAPPED_KEY_BYTES;
  return Array.from({ length: bytes[1] }, (_, i) => getAddress(bytesToHex(bytes.slice(2 + i * entry, 22 + i * entry))));
}

/** The network's recipients as the coordinator publishes them (authoritative; a deployments file can be stale). */
export async function networkRecipients(client: PublicClient, coordinator: Address): Promise<Recipient[]> {
  const [signers, keys] = await client.readContract({
    address: coordinator,
    abi: oracleCoordinatorAbi,
    functionName: "encryptionKeys",
  });
  if (signers.length === 0) throw new PrivacyError("no oracle node has published an encryption key on the coordinator yet");
  return signers.map((address, i) => ({ address, publicKey: keys[i] }));
}

/** The recipients a deployments file lists (written when the stack came up; the coordinator is the authority). */
export function deploymentRecipients(deployment: Deployment): Recipient[] {
  const listed = deployment.nodes.filter((node) => node.encryptionKey);
  if (listed.length === 0) throw new PrivacyError(`the deployments file of chain ${deployment.chainId} lists no node encryption keys`);
  return listed.map((node) => ({ address: node.signer, publicKey: node.encryptionKey }));
}
