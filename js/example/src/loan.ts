// The LendingPool's two paths for one applicant: push (a private application the network answers later)
// and pull (a report from the API, decided in the borrower's own transaction).
import {
  applyForLoan,
  attestationTypedData,
  borrowWithReport,
  contract,
  inputCommitment,
  lendingPoolAbi,
  mockCollateralTokenAbi,
  networkRecipients,
  newSalt,
  OracleApi,
  waitForLoanDecision,
  type Clients,
  type Deployment,
  type LoanDecision,
  type SignedAttestation,
} from "@ai-oracle/client";
import { keccak256, stringToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { LOCAL_CHAIN_ID } from "./connection.js";

export interface Applicant {
  rowId: number;
  /** credit-risk features in schema order; `amount` among them is in whole currency units */
  features: number[];
  /** the loan asked for, whole mUSD */
  amount: number;
}

const USD = 10n ** 6n; // mUSD has 6 decimals
const METH = 10n ** 18n; // mETH has 18
// The demo credit bureau of scripts/lending_scenario.py: a public test key the local stack trusts.
const DEMO_BUREAU_KEY = keccak256(stringToHex("ai-oracle demo credit bureau"));

/** The bureau's attestation of the applicant's features. A real bureau signs on its server after checking
 * them; on the local stack the page signs with the demo bureau's public key. */
async function attest(deployment: Deployment, clients: Clients, subject: Address, salt: Hex, features: bigint[]): Promise<SignedAttestation> {
  if (deployment.chainId !== LOCAL_CHAIN_ID) throw new Error("attestations come from your data provider's API off the local chain");
  const bureau = privateKeyToAccount(DEMO_BUREAU_KEY);
  const now = (await clients.publicClient.getBlock()).timestamp;
  const expiresAt = now + 3_600n;
  const typed = attestationTypedData(deployment.chainId, contract(deployment, "AttestationRegistry"), {
    subject,
    modelId: deployment.models["credit-risk"],
    inputHash: inputCommitment(salt, features),
    expiresAt,
  });
  return { expiresAt, signature: await bureau.signTypedData(typed) };
}

/** Collateral worth twice the loan at the feed's price; minted first on a local chain (mocks mint freely). */
async function collateralFor(deployment: Deployment, clients: Clients, requested: bigint): Promise<bigint> {
  const pool = contract(deployment, "LendingPool");
  const valueOfOne = await clients.publicClient.readContract({ address: pool, abi: lendingPoolAbi, functionName: "collateralValue", args: [METH] });
  const amount = (2n * requested * METH + valueOfOne - 1n) / valueOfOne;
  if (deployment.chainId === LOCAL_CHAIN_ID) {
    const hash = await clients.walletClient.writeContract({
      address: contract(deployment, "CollateralToken"),
      abi: mockCollateralTokenAbi,
      functionName: "mint",
      args: [clients.walletClient.account.address, amount],
    });
    await clients.publicClient.waitForTransactionReceipt({ hash });
  }
  return amount;
}

export async function applyPush(deployment: Deployment, clients: Clients, applicant: Applicant, progress: (text: string) => void): Promise<LoanDecision> {
  const features = applicant.features.map(BigInt);
  const requested = BigInt(applicant.amount) * USD;
  const subject = clients.walletClient.account.address;
  const salt = newSalt();
  progress("the credit bureau attests the features' commitment ...");
  const attestation = await attest(deployment, clients, subject, salt, features);
  const collateralAmount = await collateralFor(deployment, clients, requested);
  const coordinator = contract(deployment, "OracleCoordinator");
  const recipients = await networkRecipients(clients.publicClient, coordinator);
  progress(`sealing the features to ${recipients.length} nodes and applying ...`);
  const fromBlock = await clients.publicClient.getBlockNumber();
  const pool = contract(deployment, "LendingPool");
  const loanId = await applyForLoan(clients, { pool, coordinator, collateralAmount, requestedAmount: requested, features, salt, attestation, recipients });
  progress(`loan ${loanId.slice(0, 10)}... applied: waiting for the oracle network's answer ...`);
  return waitForLoanDecision(clients.publicClient, pool, loanId, { fromBlock, timeoutMs: 180_000 });
}

export async function borrowPull(deployment: Deployment, clients: Clients, applicant: Applicant, progress: (text: string) => void): Promise<LoanDecision> {
  if (!deployment.apiUrl) throw new Error("the deployments file names no apiUrl");
  const features = applicant.features.map(BigInt);
  const requested = BigInt(applicant.amount) * USD;
  const subject = clients.walletClient.account.address;
  const pool = contract(deployment, "LendingPool");
  const salt = newSalt();
  const attestation = await attest(deployment, clients, subject, salt, features);
  progress("asking the API for a report signed by the network (publishable key) ...");
  const api = new OracleApi(deployment.apiUrl, deployment.publishableKey);
  const pull = await api.pullReport({ model: "credit-risk", features, subject, consumer: pool, salt, attestation });
  progress(`report: PD ${pull.value} bps from ${pull.signers.length} signers; borrowing ...`);
  const collateralAmount = await collateralFor(deployment, clients, requested);
  return borrowWithReport(clients, { pool, pull, collateralAmount, requestedAmount: requested, drawAmount: requested / 2n, attestation });
}
