// deployments/<chainId>.json, as `make up` and the deploy scripts write it (js/example/dist/deployments.json
// is a copy the page fetches from its own origin). Every field may be absent when its app was not deployed;
// `contract()` and `requireField()` say which one is missing.
import { getAddress, type Address, type Hex } from "viem";

export type ContractName =
  | "OracleCoordinator"
  | "AttestationRegistry"
  | "LendingPool"
  | "Stablecoin"
  | "CollateralToken"
  | "PriceFeed"
  | "SupplyChainEscrow"
  | "EscrowToken"
  | "ConsumerMock";

export interface NodeEntry {
  signer: Address;
  /** the node's secp256k1 encryption key as the coordinator publishes it (33-byte compressed or 65-byte) */
  encryptionKey: Hex;
  apiUrl?: string;
}

export interface Deployment {
  chainId: number;
  rpcUrl?: string;
  apiUrl?: string;
  pageUrl?: string;
  contracts: Partial<Record<ContractName, Address>>;
  models: Record<string, Hex>;
  threshold?: number;
  nodes: NodeEntry[];
  attesters: Record<string, Address>;
  abiDir?: string;
  publishableKey?: string;
}

export class DeploymentError extends Error {
  override name = "DeploymentError";
}

/** Checks and normalises a parsed deployments file (addresses checksummed). */
export function parseDeployment(raw: unknown): Deployment {
  if (typeof raw !== "object" || raw === null) throw new DeploymentError("a deployments file is a JSON object");
  const data = raw as Record<string, unknown>;
  if (!Number.isInteger(data.chainId)) throw new DeploymentError("the deployments file has no integer chainId");
  const contracts: Partial<Record<ContractName, Address>> = {};
  for (const [name, address] of Object.entries((data.contracts as Record<string, string>) ?? {})) {
    contracts[name as ContractName] = checksummed(address, `contracts.${name}`);
  }
  const nodes = ((data.nodes as NodeEntry[]) ?? []).map((node, i) => ({
    ...node,
    signer: checksummed(node.signer, `nodes[${i}].signer`),
  }));
  const attesters: Record<string, Address> = {};
  for (const [name, address] of Object.entries((data.attesters as Record<string, string>) ?? {})) {
    attesters[name] = checksummed(address, `attesters.${name}`);
  }
  return {
    ...(data as object),
    chainId: data.chainId as number,
    contracts,
    models: (data.models as Record<string, Hex>) ?? {},
    nodes,
    attesters,
  } as Deployment;
}

/** GETs and parses a deployments file (the page: `fetchDeployment("./deployments.json")`). */
export async function fetchDeployment(url: string, init?: RequestInit): Promise<Deployment> {
  const response = await fetch(url, init);
  if (!response.ok) throw new DeploymentError(`GET ${url} answered ${response.status}: is the stack up (make up)?`);
  return parseDeployment(await response.json());
}

export function contract(deployment: Deployment, name: ContractName): Address {
  const address = deployment.contracts[name];
  if (!address) throw new DeploymentError(`chain ${deployment.chainId} has no ${name} in its deployments file`);
  return address;
}

export function modelIdOf(deployment: Deployment, model: string): Hex {
  const id = deployment.models[model];
  if (!id) throw new DeploymentError(`chain ${deployment.chainId} has no model ${model} in its deployments file`);
  return id;
}

export function requireField<K extends keyof Deployment>(deployment: Deployment, field: K): NonNullable<Deployment[K]> {
  const value = deployment[field];
  if (value === undefined || value === null) {
    throw new DeploymentError(`the deployments file of chain ${deployment.chainId} has no ${String(field)}`);
  }
  return value as NonNullable<Deployment[K]>;
}

function checksummed(address: string, field: string): Address {
  try {
    return getAddress(address);
  } catch {
    throw new DeploymentError(`${field} is not an address: ${address}`);
  }
}
