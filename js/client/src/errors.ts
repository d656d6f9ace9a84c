// Custom errors by name, whichever contract raised them: the apps' ABIs carry the coordinator's, the
// attestation registry's and their tokens' errors too (scripts/generate-abi.mjs), and `oracleErrorsAbi`
// holds every error of every contract for raw revert data from anywhere else (eth_call, a relayer, logs).
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Abi,
  type Hex,
} from "viem";
import * as abis from "./abi/index.js";

type AbiError = Extract<Abi[number], { type: "error" }>;

export interface DecodedError {
  /** the Solidity error's name, e.g. OracleCoordinatorReportExpired */
  name: string;
  args: readonly unknown[];
  /** a sentence for people, with the values that matter */
  message: string;
}

function errorSignature(item: AbiError): string {
  return `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
}

/** Every custom error of every exported contract, each once. */
export const oracleErrorsAbi: readonly AbiError[] = (() => {
  const seen = new Map<string, AbiError>();
  for (const abi of Object.values(abis) as Abi[]) {
    for (const item of abi) if (item.type === "error") seen.set(errorSignature(item), item);
  }
  return [...seen.values()];
})();

const STATUS = ["OK", "INVALID_INPUT", "MODEL_ERROR", "EXPIRED"];
const seconds = (at: unknown) => new Date(Number(at) * 1000).toISOString();

// The errors a user of the flows meets; every other one reads as Name(arg, ...).
const SENTENCES: Record<string, (args: readonly unknown[]) => string> = {
  OracleCoordinatorReportExpired: ([validUntil]) => `the signed report expired at ${seconds(validUntil)}: get a fresh one`,
  OracleCoordinatorInvalidSignature: ([index]) =>
    `signature ${index} of the report does not match its contents: the report was tampered with or signed by a non-signer`,
  OracleCoordinatorUnknownSigner: ([signer]) =>
    `a signature recovers ${signer}, not one of the coordinator's signers: the report was tampered with or signed by another key`,
  OracleCoordinatorQuorumNotMet: ([count, threshold]) => `the report has ${count} signatures, the network needs ${threshold}`,
  OracleCoordinatorArtifactMismatch: ([, registered, reported]) =>
    `the report was made with artifact ${reported}, the chain registers ${registered}`,
  OracleCoordinatorFeeTooLow: ([required, paid]) =>
    `the request must pay at least ${required} wei (the coordinator's requestFee for its model and callback gas), ${paid} wei was sent`,
  OracleCoordinatorFeeTooHigh: ([paid, max]) => `${paid} wei was sent, a request's fee is at most ${max} wei`,
  OracleCoordinatorCallbackGasTooHigh: ([asked, max]) => `the callback asks for ${asked} gas, the model allows at most ${max}`,
  OracleCoordinatorUnknownModel: ([id]) => `no model ${id} is registered on the coordinator`,
  OracleCoordinatorModelInactive: ([id]) => `model ${id} is deactivated`,
  OracleCoordinatorPaused: () => "the coordinator is paused",
  AttestationRegistryExpired: ([at]) => `the attestation expired at ${seconds(at)}: ask the data provider for a new one`,
  AttestationRegistryInvalidSignature: () => "the attestation signature is malformed",
  AttestationRegistryUntrustedAttester: ([, attester]) =>
    `the attestation recovers ${attester}, not a trusted attester: the features or the subject differ from what was attested`,
  LendingPoolReportNotOk: ([status]) => `the report's status is ${STATUS[Number(status)] ?? status}, not OK`,
  LendingPoolPdAboveMax: ([pd, max]) => `declined: PD ${Number(pd) / 100} % is above the pool's ${Number(max) / 100} %`,
  LendingPoolInsufficientLiquidity: ([amount, available]) => `the pool has ${available} to lend, ${amount} was asked`,
  LendingPoolExceedsLtv: ([, debt, max]) => `the debt would be ${debt}, the collateral allows ${max}`,
  LendingPoolNothingToWithdraw: ([account]) => `${account} has no collateral left by liquidations to withdraw`,
  FailedCall: () => "sending ether failed: the recipient refused it (a contract without a payable receive?): withdraw to another address",
  OracleConsumerUnexpectedEther: ([sender]) => `the contract accepts ether only from the coordinator (refunds), not from ${sender}`,
  LendingPoolStalePrice: ([updatedAt]) => `the collateral's price feed is stale (last update ${seconds(updatedAt)})`,
};

function decoded(name: string, args: readonly unknown[]): DecodedError {
  const sentence = SENTENCES[name];
  const message = sentence ? sentence(args) : `${name}(${args.map(String).join(", ")})`;
  return { name, args, message };
}

/** Raw revert data (0x + selector + arguments) against every known error; null for an unknown selector. */
export function decodeRevertData(data: Hex, abi: Abi | readonly AbiError[] = oracleErrorsAbi): DecodedError | null {
  try {
    const result = decodeErrorResult({ abi: abi as Abi, data });
    return decoded(result.errorName, result.args ?? []);
  } catch {
    return null;
  }
}

/** The custom error inside whatever viem threw (simulateContract, writeContract, readContract); null when
 * the failure was not a contract revert with a custom error (a network error, a plain revert). */
export function decodeContractError(error: unknown): DecodedError | null {
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return null;
  if (reverted.data?.errorName && reverted.data.errorName !== "Error" && reverted.data.errorName !== "Panic") {
    return decoded(reverted.data.errorName, reverted.data.args ?? []);
  }
  return reverted.raw ? decodeRevertData(reverted.raw) : null;
}

/** A sentence for any error viem threw: the decoded custom error, or viem's own short message. */
export function explainError(error: unknown): string {
  const custom = decodeContractError(error);
  if (custom) return custom.message;
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
