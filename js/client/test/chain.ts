// A real anvil on a free port (never 8545, where brownie's may run), the contracts deployed from brownie's
// compiled artifacts (build/contracts), and four test signers (threshold 3) that act as the oracle network.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PrivateKey } from "eciesjs";
import {
  bytesToHex,
  concatHex,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  keccak256,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
  stringToHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import * as abis from "../src/abi/index.js";
import { type Clients, type Wallet } from "../src/flows.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const MNEMONIC = "test test test test test test test test test test test junk";
export const USD = 10n ** 6n;
export const METH = 10n ** 18n;
export const PRICE = 2_000n * 10n ** 8n;
const DAY = 86_400;
// LendingPool's CreditPolicy and PoolSettings as scripts/lending_scenario.py sets them.
const POLICY = { maxPdBps: 2_000, baseAprBps: 500, aprSlopeBps: 5_000, maxLtvBps: 7_500, ltvSlopeBps: 2_500, liquidationThresholdBps: 8_500, liquidationBonusBps: 500, drawWindowSeconds: 7 * DAY };
const SETTINGS = { requestTtlSeconds: 3_600, callbackGasLimit: 100_000, maxPriceAgeSeconds: 3_600 };
// The credit-risk model's ModelPricing: a base fee plus the callback's and the fulfilment's gas at 2 gwei.
export const PRICING = { feeWei: 10n ** 14n, gasPriceWei: 2n * 10n ** 9n, maxCallbackGasLimit: 1_000_000 };
export const THRESHOLD = 3;

export interface Stack extends Clients {
  rpcUrl: string;
  chainId: number;
  anvil: ChildProcess;
  deployer: LocalAccount;
  signers: LocalAccount[];
  encryptionKeys: PrivateKey[];
  bureau: LocalAccount;
  modelId: Hex;
  coordinator: Address;
  registry: Address;
  pool: Address;
  stablecoin: Address;
  collateral: Address;
  consumer: Address;
  walletFor(account: LocalAccount): Wallet;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const path = join(ROOT, "build", "contracts", `${name}.json`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`brownie compile\` (make compile) first`);
  const data = JSON.parse(readFileSync(path, "utf8"));
  return { abi: data.abi, bytecode: `0x${data.bytecode.replace(/^0x/, "")}` };
}

async function startAnvil(): Promise<{ anvil: ChildProcess; rpcUrl: string }> {
  const binary = join(ROOT, "node_modules", ".bin", "anvil");
  const port = await freePort();
  const anvil = spawn(binary, ["--port", String(port), "--host", "127.0.0.1", "--hardfork", "prague", "--silent"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(rpcUrl) });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.getChainId();
      return { anvil, rpcUrl };
    } catch (error) {
      if (anvil.exitCode !== null || Date.now() > deadline) throw new Error(`anvil did not start on ${rpcUrl}: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Signs `digest` as an oracle signer: 64-byte EIP-2098 compact, as the coordinator takes it. */
export async function compactSign(signer: LocalAccount, digest: Hex): Promise<Hex> {
  return serializeCompactSignature(signatureToCompactSignature(parseSignature(await signer.sign!({ hash: digest }))));
}

export async function startStack(): Promise<Stack> {
  const { anvil, rpcUrl } = await startAnvil();
  const chain = { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } };
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 100 }) as PublicClient;
  const walletFor = (account: LocalAccount) => createWalletClient({ account, chain, transport: http(rpcUrl) }) as Wallet;
  const deployer = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  const signers = [6, 7, 8, 9].map((addressIndex) => mnemonicToAccount(MNEMONIC, { addressIndex }));
  const wallet = walletFor(deployer);

  async function deploy(name: string, args: unknown[]): Promise<Address> {
    const { abi, bytecode } = artifact(name);
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    return getAddress(receipt.contractAddress!);
  }
  async function call(account: LocalAccount, address: Address, abi: Abi, functionName: string, args: unknown[]) {
    const hash = await walletFor(account).writeContract({ address, abi, functionName, args, chain });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  }

  const modelId = keccak256(stringToHex("credit-risk"));
  const coordinator = await deploy("OracleCoordinator", [deployer.address, signers.map((s) => s.address), THRESHOLD]);
  const registry = await deploy("AttestationRegistry", [deployer.address]);
  await call(deployer, coordinator, abis.oracleCoordinatorAbi, "setAttestationRegistry", [registry]);
  await call(deployer, coordinator, abis.oracleCoordinatorAbi, "registerModel", [
    modelId,
    keccak256(stringToHex("test artifact")),
    keccak256(stringToHex("test schema")),
    PRICING,
  ]);
  const bureau = privateKeyToAccount(keccak256(stringToHex("ai-oracle js client test bureau")));
  await call(deployer, registry, abis.attestationRegistryAbi, "setAttester", [modelId, bureau.address, true]);
  await call(deployer, registry, abis.attestationRegistryAbi, "setAttestationRequired", [modelId, true]);
  const encryptionKeys = signers.map(() => new PrivateKey());
  for (const [i, signer] of signers.entries()) {
    await call(signer, coordinator, abis.oracleCoordinatorAbi, "setEncryptionKey", [
      bytesToHex(encryptionKeys[i].publicKey.toBytes(true)),
    ]);
  }
  const stablecoin = await deploy("MockStablecoin", ["Mock USD", "mUSD", 6, deployer.address]);
  const collateral = await deploy("MockCollateralToken", ["Mock Ether", "mETH", 18, deployer.address]);
  const feed = await deploy("MockPriceFeed", [8, "mETH / mUSD", PRICE, deployer.address]);
  const pool = await deploy("LendingPool", [stablecoin, collateral, feed, coordinator, modelId, POLICY, SETTINGS, deployer.address]);
  const consumer = await deploy("ConsumerMock", [coordinator]);
  const liquidity = 1_000_000n * USD;
  await call(deployer, stablecoin, abis.mockStablecoinAbi, "mint", [deployer.address, liquidity]);
  await call(deployer, stablecoin, abis.mockStablecoinAbi, "approve", [pool, liquidity]);
  await call(deployer, pool, abis.lendingPoolAbi, "deposit", [liquidity, deployer.address]);

  return {
    rpcUrl,
    chainId: foundry.id,
    anvil,
    publicClient,
    walletClient: wallet,
    deployer,
    signers,
    encryptionKeys,
    bureau,
    modelId,
    coordinator,
    registry,
    pool,
    stablecoin,
    collateral,
    consumer,
    walletFor,
    async stop() {
      anvil.kill("SIGTERM");
      await new Promise((resolve) => (anvil.exitCode !== null ? resolve(null) : anvil.once("exit", resolve)));
    },
  };
}

/** A borrower: a fresh anvil dev account (indexes 1..5) holding collateral. */
export async function borrower(stack: Stack, index: number, collateralAmount: bigint): Promise<{ account: LocalAccount; clients: Clients }> {
  const account = mnemonicToAccount(MNEMONIC, { addressIndex: index });
  const clients = { publicClient: stack.publicClient, walletClient: stack.walletFor(account) };
  const hash = await clients.walletClient.writeContract({
    address: stack.collateral,
    abi: abis.mockCollateralTokenAbi,
    functionName: "mint",
    args: [account.address, collateralAmount],
  });
  await stack.publicClient.waitForTransactionReceipt({ hash });
  return { account, clients };
}

export { concatHex };
