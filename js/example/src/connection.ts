// Who signs: the browser's wallet (window.ethereum, EIP-1193) or, on a local chain only, anvil's public
// development keys: the applicant, and the parties of the demo shipment.
import { createPublicClient, createWalletClient, custom, defineChain, http, type EIP1193Provider, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { Clients, Deployment, Wallet } from "@ai-oracle/client";

const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";
export const LOCAL_CHAIN_ID = 31337;

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

export interface Connection {
  publicClient: PublicClient;
  applicant: Clients;
  /** anvil dev key index -> clients; local chains only */
  devClients(index: number): Clients;
  label: string;
}

function chainOf(deployment: Deployment) {
  return defineChain({
    id: deployment.chainId,
    name: deployment.chainId === LOCAL_CHAIN_ID ? "anvil (local)" : `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [deployment.rpcUrl ?? "http://127.0.0.1:8545"] } },
  });
}

export function readClient(deployment: Deployment): PublicClient {
  return createPublicClient({ chain: chainOf(deployment), transport: http(), pollingInterval: 250 }) as PublicClient;
}

function devClients(deployment: Deployment, publicClient: PublicClient) {
  return (index: number): Clients => {
    if (deployment.chainId !== LOCAL_CHAIN_ID) throw new Error("anvil's development keys only sign on a local chain");
    const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
    return { publicClient, walletClient: createWalletClient({ account, chain: chainOf(deployment), transport: http() }) as Wallet };
  };
}

/** Anvil's development account 1 applies (account 0 deployed the stack). */
export function connectDevKey(deployment: Deployment): Connection {
  const publicClient = readClient(deployment);
  const dev = devClients(deployment, publicClient);
  const applicant = dev(1);
  return { publicClient, applicant, devClients: dev, label: `anvil dev key ${applicant.walletClient.account.address}` };
}

export async function connectWallet(deployment: Deployment): Promise<Connection> {
  if (!window.ethereum) throw new Error("no browser wallet (window.ethereum) found");
  const [address] = await window.ethereum.request({ method: "eth_requestAccounts" });
  const chain = chainOf(deployment);
  const walletClient = createWalletClient({ account: address, chain, transport: custom(window.ethereum) }) as Wallet;
  if ((await walletClient.getChainId()) !== deployment.chainId) await walletClient.switchChain({ id: deployment.chainId });
  const publicClient = readClient(deployment);
  return { publicClient, applicant: { publicClient, walletClient }, devClients: devClients(deployment, publicClient), label: `wallet ${address}` };
}
