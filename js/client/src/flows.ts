// The flows a frontend runs, each a few calls of viem with the generated ABIs: simulate first (so a revert
// comes back as a decoded custom error before anything is signed), send, wait for the receipt, read the
// event that carries the result.
import {
  parseEventLogs,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import {
  consumerMockAbi,
  lendingPoolAbi,
  mockCollateralTokenAbi,
  oracleCoordinatorAbi,
  supplyChainEscrowAbi,
} from "./abi/index.js";
import type { PullReport, PullReportStruct } from "./api.js";
import type { SignedAttestation } from "./attestation.js";
import { inputCommitment, sealPrivateInput, type Recipient } from "./privacy.js";

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface Clients {
  publicClient: PublicClient;
  walletClient: Wallet;
}

export interface WaitOptions {
  /** give up after this long (default 120 s) */
  timeoutMs?: number;
  /** how often to look (default 500 ms) */
  pollMs?: number;
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

export const STATUS_NAMES = ["OK", "INVALID_INPUT", "MODEL_ERROR", "EXPIRED"] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

/** Polls `look` until it returns a value (not undefined); throws TimeoutError naming `what`. */
export async function waitFor<T>(what: string, look: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new TimeoutError(`no ${what} after ${(options.timeoutMs ?? 120_000) / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

interface Call {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  value?: bigint;
}

async function send(clients: Clients, call: Call) {
  const { request } = await clients.publicClient.simulateContract({ ...call, account: clients.walletClient.account });
  const hash = await clients.walletClient.writeContract(request as never);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

// ---------------------------------------------------------------- push: request, then wait for the answer

export interface Answer {
  requestId: Hex;
  status: StatusName;
  /** fixed-point in the model's output scale; 0 unless status is OK */
  value: bigint;
  transactionHash: Hex;
}

/** The least a request for `modelId` asking `callbackGasLimit` gas for its callback must pay, in wei: the
 * coordinator's `requestFee` view (the model's base fee plus the callback's and the fulfilment's gas at the
 * model's gas price; the fulfilment's gas grows with the signer threshold). Read it before each request rather
 * than computing it: the owner may reprice a model (`setModelPricing`) or change the threshold. */
export async function requestFee(publicClient: PublicClient, coordinator: Address, modelId: Hex, callbackGasLimit: number): Promise<bigint> {
  return publicClient.readContract({
    address: coordinator,
    abi: oracleCoordinatorAbi,
    functionName: "requestFee",
    args: [modelId, callbackGasLimit],
  });
}

/** Asks the coordinator for a prediction through the demo consumer (ConsumerMock.request), paying the
 * coordinator's `requestFee` for the callback gas limit (default 100,000 gas, at most the model's
 * `maxCallbackGasLimit`); returns the request id from PredictionRequested. */
export async function requestPrediction(
  clients: Clients,
  args: { coordinator: Address; consumer: Address; modelId: Hex; features: readonly bigint[]; deadlineSeconds?: number; callbackGasLimit?: number },
): Promise<Hex> {
  const callbackGasLimit = args.callbackGasLimit ?? 100_000;
  const fee = await requestFee(clients.publicClient, args.coordinator, args.modelId, callbackGasLimit);
  const block = await clients.publicClient.getBlock();
  const receipt = await send(clients, {
    address: args.consumer,
    abi: consumerMockAbi,
    functionName: "request",
    args: [args.modelId, [...args.features], block.timestamp + BigInt(args.deadlineSeconds ?? 3_600), callbackGasLimit],
    value: fee,
  });
  const [requested] = parseEventLogs({ abi: oracleCoordinatorAbi, logs: receipt.logs, eventName: "PredictionRequested" });
  if (!requested) throw new Error(`transaction ${receipt.transactionHash} emitted no PredictionRequested`);
  return requested.args.requestId;
}

/** Waits for the coordinator's PredictionFulfilled (or PredictionCancelled) of `requestId`. */
export async function waitForPrediction(
  publicClient: PublicClient,
  coordinator: Address,
  requestId: Hex,
  options: WaitOptions & { fromBlock?: bigint } = {},
): Promise<Answer> {
  const fromBlock = options.fromBlock ?? 0n;
  return waitFor(`answer to request ${requestId}`, async () => {
    const [fulfilled] = await publicClient.getContractEvents({
      address: coordinator,
      abi: oracleCoordinatorAbi,
      eventName: "PredictionFulfilled",
      args: { requestId },
      fromBlock,
    });
    if (fulfilled) {
      return {
        requestId,
        status: STATUS_NAMES[fulfilled.args.status!],
        value: fulfilled.args.value!,
        transactionHash: fulfilled.transactionHash,
      };
    }
    const [cancelled] = await publicClient.getContractEvents({
      address: coordinator,
      abi: oracleCoordinatorAbi,
      eventName: "PredictionCancelled",
      args: { requestId },
      fromBlock,
    });
    if (cancelled) return { requestId, status: "EXPIRED" as const, value: 0n, transactionHash: cancelled.transactionHash };
    return undefined;
  }, options);
}

// ---------------------------------------------------------------- lending: push (private) and pull

export interface LoanDecision {
  loanId: Hex;
  status: StatusName;
  approved: boolean;
  /** the oracle's probability of default, basis points (0..10000) */
  pdBps: bigint;
  /** annual rate, basis points; 0 unless approved */
  aprBps: bigint;
  /** maximum loan-to-value, basis points; 0 unless approved */
  ltvBps: bigint;
  /** unix seconds; 0 unless approved */
  drawDeadline: bigint;
  transactionHash: Hex;
}

async function approveCollateral(clients: Clients, pool: Address, amount: bigint): Promise<void> {
  const token = await clients.publicClient.readContract({ address: pool, abi: lendingPoolAbi, functionName: "collateralToken" });
  await send(clients, { address: token, abi: mockCollateralTokenAbi, functionName: "approve", args: [pool, amount] });
}

/** Push mode, private: only the commitment of salt and features goes on chain, the features sealed to the
 * network's nodes, with the data provider's attestation of that commitment for this applicant. Takes
 * `collateralAmount` (approved here) and the coordinator's `requestFee` for the pool's model and callback gas
 * limit (`settings().callbackGasLimit`); returns the loan id (the oracle request id). */
export async function applyForLoan(
  clients: Clients,
  args: {
    pool: Address;
    coordinator: Address;
    /** collateral token units (18 decimals for mETH) */
    collateralAmount: bigint;
    /** stablecoin units (6 decimals for mUSD), not the model's whole-currency `amount` feature */
    requestedAmount: bigint;
    features: readonly bigint[];
    salt: Hex;
    attestation: SignedAttestation;
    recipients: readonly Recipient[];
  },
): Promise<Hex> {
  const modelId = await clients.publicClient.readContract({ address: args.pool, abi: lendingPoolAbi, functionName: "modelId" });
  const settings = await clients.publicClient.readContract({ address: args.pool, abi: lendingPoolAbi, functionName: "settings" });
  const fee = await requestFee(clients.publicClient, args.coordinator, modelId, settings.callbackGasLimit);
  await approveCollateral(clients, args.pool, args.collateralAmount);
  const receipt = await send(clients, {
    address: args.pool,
    abi: lendingPoolAbi,
    functionName: "applyForLoan",
    args: [
      args.collateralAmount,
      args.requestedAmount,
      inputCommitment(args.salt, args.features),
      sealPrivateInput(args.salt, args.features, args.recipients),
      args.attestation.expiresAt,
      args.attestation.signature,
    ],
    value: fee,
  });
  const [applied] = parseEventLogs({ abi: lendingPoolAbi, logs: receipt.logs, eventName: "LoanApplied" });
  if (!applied) throw new Error(`transaction ${receipt.transactionHash} emitted no LoanApplied`);
  return applied.args.loanId;
}

/** Waits for the pool's LoanDecided of `loanId` (push mode: when the oracle network has answered). */
export async function waitForLoanDecision(
  publicClient: PublicClient,
  pool: Address,
  loanId: Hex,
  options: WaitOptions & { fromBlock?: bigint } = {},
): Promise<LoanDecision> {
  return waitFor(`decision on loan ${loanId}`, async () => {
    const [decided] = await publicClient.getContractEvents({
      address: pool,
      abi: lendingPoolAbi,
      eventName: "LoanDecided",
      args: { loanId },
      fromBlock: options.fromBlock ?? 0n,
    });
    return decided ? decisionOf(decided.args, decided.transactionHash) : undefined;
  }, options);
}

/** Pull mode: a report the network signed for this applicant and pool, decided in the same transaction;
 * draws `drawAmount` (stablecoin units) at once. */
export async function borrowWithReport(
  clients: Clients,
  args: {
    pool: Address;
    pull: Pick<PullReport, "report" | "signatures">;
    collateralAmount: bigint;
    requestedAmount: bigint;
    drawAmount: bigint;
    attestation: SignedAttestation;
  },
): Promise<LoanDecision> {
  await approveCollateral(clients, args.pool, args.collateralAmount);
  const receipt = await send(clients, {
    address: args.pool,
    abi: lendingPoolAbi,
    functionName: "borrowWithReport",
    args: [
      reportArg(args.pull.report),
      args.pull.signatures,
      args.collateralAmount,
      args.requestedAmount,
      args.drawAmount,
      args.attestation.expiresAt,
      args.attestation.signature,
    ],
  });
  const [decided] = parseEventLogs({ abi: lendingPoolAbi, logs: receipt.logs, eventName: "LoanDecided" });
  if (!decided) throw new Error(`transaction ${receipt.transactionHash} emitted no LoanDecided`);
  return decisionOf(decided.args, receipt.transactionHash);
}

/** Any consumer taking (PullReport, signatures): the demo consumer's consumePullReport. */
export async function consumePullReport(clients: Clients, consumer: Address, pull: Pick<PullReport, "report" | "signatures">) {
  return send(clients, {
    address: consumer,
    abi: consumerMockAbi,
    functionName: "consumePullReport",
    args: [reportArg(pull.report), pull.signatures],
  });
}

export function reportArg(report: PullReportStruct) {
  return { ...report, values: [...report.values] };
}

function decisionOf(
  args: { loanId?: Hex; status?: number; approved?: boolean; pdBps?: bigint; aprBps?: bigint; ltvBps?: bigint; drawDeadline?: bigint },
  transactionHash: Hex,
): LoanDecision {
  return {
    loanId: args.loanId!,
    status: STATUS_NAMES[args.status!],
    approved: args.approved!,
    pdBps: args.pdBps!,
    aprBps: args.aprBps!,
    ltvBps: args.ltvBps!,
    drawDeadline: args.drawDeadline!,
    transactionHash,
  };
}

// ---------------------------------------------------------------- supply chain: a shipment's trail

export interface TrailEntry {
  event: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** What a SupplyChainEscrow's `dispatch` (the delay model) or `deliver` (the condition model) must send as
 * `msg.value`: the coordinator's `requestFee` for `modelId` at the escrow's `CALLBACK_GAS_LIMIT`, wei. */
export async function escrowRequestFee(publicClient: PublicClient, escrow: Address, modelId: Hex): Promise<bigint> {
  const [coordinator, callbackGasLimit] = await Promise.all([
    publicClient.readContract({ address: escrow, abi: supplyChainEscrowAbi, functionName: "coordinator" }),
    publicClient.readContract({ address: escrow, abi: supplyChainEscrowAbi, functionName: "CALLBACK_GAS_LIMIT" }),
  ]);
  return requestFee(publicClient, coordinator, modelId, callbackGasLimit);
}

/** Every event of one shipment, in chain order: its provenance trail, its predictions and its outcome. */
export async function shipmentTrail(
  publicClient: PublicClient,
  escrow: Address,
  shipmentId: bigint,
  fromBlock = 0n,
): Promise<TrailEntry[]> {
  const logs = await publicClient.getLogs({ address: escrow, fromBlock });
  return parseEventLogs({ abi: supplyChainEscrowAbi as Abi, logs })
    .filter((log) => (log.args as { shipmentId?: bigint }).shipmentId === shipmentId)
    .map((log) => ({
      event: log.eventName as string,
      args: log.args as Record<string, unknown>,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    }));
}
