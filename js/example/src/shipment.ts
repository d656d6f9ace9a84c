// A demo consignment on the SupplyChainEscrow with anvil's dev keys (buyer, supplier, carrier; the deployer
// is the stack's sensor gateway), and any shipment's trail read back from the escrow's events.
import {
  contract,
  escrowRequestFee,
  mockEscrowTokenAbi,
  shipmentTrail,
  STATUS_NAMES,
  supplyChainEscrowAbi,
  waitFor,
  type Clients,
  type Deployment,
  type TrailEntry,
} from "@ai-oracle/client";
import { formatEther, formatUnits, keccak256, parseEventLogs, stringToHex, type Abi, type Address, type PublicClient } from "viem";
import type { Connection } from "./connection.js";

export interface DemoShipment {
  origin: string;
  delayFeatures: number[];
  checkpoints: { location: string; rowId: number; features: number[] }[];
}

const OUTCOMES = ["None", "Released", "LatePenalty", "Spoiled", "OracleFailed", "Cancelled", "Arbitrated"];
const STATES = ["None", "Created", "InTransit", "AwaitingCondition", "Proposed", "Disputed", "Settled"];
const PRICE = 25_000n * 10n ** 18n; // MockEscrowToken has 18 decimals

async function send(clients: Clients, address: Address, abi: Abi, functionName: string, args: unknown[], value?: bigint) {
  const { request } = await clients.publicClient.simulateContract({ address, abi, functionName, args, value, account: clients.walletClient.account });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash: await clients.walletClient.writeContract(request as never) });
  return receipt;
}

/** Creates, dispatches, records checkpoints and delivers; returns the shipment id once the oracle has judged
 * the condition (OutcomeProposed). */
export async function runDemoShipment(deployment: Deployment, connection: Connection, plan: DemoShipment, progress: (text: string) => void): Promise<bigint> {
  const [gateway, buyer, supplier, carrier] = [0, 2, 3, 4].map((i) => connection.devClients(i));
  const escrow = contract(deployment, "SupplyChainEscrow");
  const token = contract(deployment, "EscrowToken");
  const publicClient = connection.publicClient;
  progress("buyer escrows the price ...");
  await send(buyer, token, mockEscrowTokenAbi, "mint", [buyer.walletClient.account.address, PRICE]);
  await send(buyer, token, mockEscrowTokenAbi, "approve", [escrow, PRICE]);
  const now = (await publicClient.getBlock()).timestamp;
  const terms = {
    supplier: supplier.walletClient.account.address,
    carrier: carrier.walletClient.account.address,
    token,
    price: PRICE,
    slaDeadline: now + 2n * 86_400n,
    maxConditionBps: 5_000,
    latePenaltyBps: 1_000,
  };
  const delay = plan.delayFeatures.map(BigInt);
  const created = await send(buyer, escrow, supplyChainEscrowAbi, "createShipment", [terms, plan.origin, delay]);
  const [event] = parseEventLogs({ abi: supplyChainEscrowAbi, logs: created.logs, eventName: "ShipmentCreated" });
  const id = event.args.shipmentId;
  const delayFee = await escrowRequestFee(publicClient, escrow, deployment.models["delivery-delay"]);
  progress(`shipment #${id}: supplier dispatches (delay-risk prediction, oracle fee ${formatEther(delayFee)} ETH) ...`);
  await send(supplier, escrow, supplyChainEscrowAbi, "dispatch", [id, delay], delayFee);
  for (const checkpoint of plan.checkpoints) {
    progress(`shipment #${id}: gateway records ${checkpoint.location} ...`);
    const raw = keccak256(stringToHex(`held-out sensor row ${checkpoint.rowId}: ${checkpoint.features.join(",")}`));
    await send(gateway, escrow, supplyChainEscrowAbi, "recordCheckpoint", [id, checkpoint.location, raw, checkpoint.features.map(BigInt)]);
  }
  const last = plan.checkpoints[plan.checkpoints.length - 1].features.map(BigInt);
  const conditionFee = await escrowRequestFee(publicClient, escrow, deployment.models["shipment-condition"]);
  progress(`shipment #${id}: carrier delivers (condition prediction, oracle fee ${formatEther(conditionFee)} ETH); waiting for the oracle ...`);
  await send(carrier, escrow, supplyChainEscrowAbi, "deliver", [id, last], conditionFee);
  await waitFor(`outcome of shipment #${id}`, async () => {
    const trail = await shipmentTrail(publicClient, escrow, id);
    return trail.some((entry) => entry.event === "OutcomeProposed") ? true : undefined;
  }, { timeoutMs: 180_000 });
  return id;
}

export async function shipmentState(deployment: Deployment, publicClient: PublicClient, id: bigint): Promise<string> {
  const shipment = await publicClient.readContract({ address: contract(deployment, "SupplyChainEscrow"), abi: supplyChainEscrowAbi, functionName: "shipment", args: [id] });
  const outcome = OUTCOMES[shipment.outcome];
  return `state ${STATES[shipment.state]}` + (shipment.outcome ? `, outcome ${outcome}` : "") + (shipment.conditionBps ? `, condition ${(shipment.conditionBps / 100).toFixed(2)} %` : "");
}

/** One line per event, in people's words. */
export function describe(entry: TrailEntry): string {
  const a = entry.args as Record<string, never>;
  const bps = (value: bigint) => `${(Number(value) / 100).toFixed(2)} %`;
  switch (entry.event) {
    case "ShipmentCreated":
      return `created: ${a.origin}, buyer ${short(a.buyer)} escrowed for supplier ${short(a.supplier)}`;
    case "CustodyTransferred":
      return `custody ${short(a.from)} -> ${short(a.to)}`;
    case "CheckpointRecorded":
      return `checkpoint ${a.index} at ${a.location} by gateway ${short(a.gateway)} (sensor log ${String(a.rawDataHash).slice(0, 10)}...)`;
    case "DelayRiskRequested":
      return `delay risk asked of the oracle (request ${String(a.requestId).slice(0, 10)}...)`;
    case "ConditionRequested":
      return `condition at checkpoint ${a.checkpointIndex} asked of the oracle (request ${String(a.requestId).slice(0, 10)}...)`;
    case "ConditionUnavailable":
      return `no usable condition answer (${STATUS_NAMES[Number(a.status)]}): a refund is proposed`;
    case "DelayRiskAssessed":
      return `delay risk ${bps(a.riskBps)}`;
    case "DelayRiskAlert":
      return `delay risk alert: ${bps(a.riskBps)} above ${bps(a.thresholdBps)}`;
    case "ConditionAssessed":
      return `condition ${bps(a.conditionBps)} (max ${bps(a.maxConditionBps)})`;
    case "OutcomeProposed":
      return `outcome proposed: ${OUTCOMES[Number(a.outcome)]}, supplier ${formatUnits(a.supplierAmount, 18)} mUSD, buyer ${formatUnits(a.buyerAmount, 18)} mUSD`;
    case "ShipmentSettled":
      return `settled: ${OUTCOMES[Number(a.outcome)]}`;
    default:
      return entry.event;
  }
}

const short = (address: unknown) => `${String(address).slice(0, 8)}...`;
