// The client against a real anvil with the contracts from build/contracts; the test's four keys play the
// oracle network (threshold 3), a Python process plays a node opening a sealed input.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { concatHex, encodeErrorResult, parseEventLogs, type Address, type Hex } from "viem";
import {
  applyForLoan,
  attestationTypedData,
  borrowWithReport,
  decodeContractError,
  decodeFeatures,
  decodeOutput,
  decodeRevertData,
  deploymentRecipients,
  encodeFeatures,
  inputCommitment,
  lendingPoolAbi,
  networkRecipients,
  newSalt,
  oracleCoordinatorAbi,
  parseDeployment,
  recipientsOf,
  requestFee,
  requestPrediction,
  sealPrivateInput,
  supplyChainEscrowAbi,
  waitForLoanDecision,
  waitForPrediction,
  type ModelCard,
  type PullReportStruct,
  type SignedAttestation,
} from "../src/index.js";
import { borrower, compactSign, METH, PRICING, ROOT, startStack, THRESHOLD, USD, type Stack } from "./chain.js";
import { consumerMockAbi } from "../src/abi/index.js";

// held-out row 1 of models/credit-risk/held_out.csv, in the schema's order
const FEATURES = [3n, 12n, 35n, 120n, 3500n, 0n, 1000n, 1844n, 2n, 0n, 0n];
const PD_BPS = 850n;

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function attest(subject: Address, salt: Hex, features: readonly bigint[], ttlSeconds = 3_600): Promise<SignedAttestation> {
  const now = (await stack.publicClient.getBlock()).timestamp;
  const expiresAt = now + BigInt(ttlSeconds);
  const typed = attestationTypedData(stack.chainId, stack.registry, {
    subject,
    modelId: stack.modelId,
    inputHash: inputCommitment(salt, features),
    expiresAt,
  });
  return { expiresAt, signature: await stack.bureau.signTypedData(typed) };
}

async function signPull(report: PullReportStruct): Promise<Hex> {
  const signatures: Hex[] = [];
  for (const [i, signer] of stack.signers.slice(0, 3).entries()) {
    const digest = await stack.publicClient.readContract({
      address: stack.coordinator,
      abi: oracleCoordinatorAbi,
      functionName: "pullObservationDigest",
      args: [{ ...report, values: [...report.values] }, report.values[i]],
    });
    signatures.push(await compactSign(signer, digest));
  }
  return concatHex(signatures);
}

async function pullReport(subject: Address, salt: Hex, validForSeconds = 300): Promise<{ report: PullReportStruct; signatures: Hex }> {
  const model = await stack.publicClient.readContract({ address: stack.coordinator, abi: oracleCoordinatorAbi, functionName: "getModel", args: [stack.modelId] });
  const now = (await stack.publicClient.getBlock()).timestamp;
  const report: PullReportStruct = {
    subject,
    consumer: stack.pool,
    validUntil: now + BigInt(validForSeconds),
    modelId: stack.modelId,
    artifactHash: model.artifactHash,
    inputHash: inputCommitment(salt, FEATURES),
    status: 0,
    values: [PD_BPS, PD_BPS, PD_BPS],
  };
  return { report, signatures: await signPull(report) };
}

describe("ABI exports", () => {
  test("the generated files match build/contracts", () => {
    execFileSync(process.execPath, [join(ROOT, "js", "client", "scripts", "generate-abi.mjs"), "--check"], { stdio: "pipe" });
  });

  test("the apps' ABIs carry the coordinator's and the registry's errors", () => {
    for (const abi of [lendingPoolAbi, supplyChainEscrowAbi]) {
      const names = abi.filter((item) => item.type === "error").map((item) => item.name);
      assert.ok(names.includes("OracleCoordinatorReportExpired"));
      assert.ok(names.includes("OracleCoordinatorInvalidSignature"));
    }
    assert.ok(lendingPoolAbi.some((item) => item.type === "error" && item.name === "AttestationRegistryUntrustedAttester"));
  });
});

describe("pull mode through the LendingPool", () => {
  test("a report signed by the network opens an approved loan and draws at once", async () => {
    const { account, clients } = await borrower(stack, 1, 10n * METH);
    const salt = newSalt();
    const pull = await pullReport(account.address, salt);
    const decision = await borrowWithReport(clients, {
      pool: stack.pool,
      pull,
      collateralAmount: 2n * METH,
      requestedAmount: 1_000n * USD,
      drawAmount: 500n * USD,
      attestation: await attest(account.address, salt, FEATURES),
    });
    assert.equal(decision.approved, true);
    assert.equal(decision.status, "OK");
    assert.equal(decision.pdBps, PD_BPS);
    assert.equal(decision.aprBps, 500n + (5_000n * PD_BPS) / 10_000n);
  });

  test("a tampered report is refused with the coordinator's error, decoded through the pool's ABI", async () => {
    const { account, clients } = await borrower(stack, 2, 10n * METH);
    const salt = newSalt();
    const pull = await pullReport(account.address, salt);
    const tampered = { ...pull, report: { ...pull.report, values: [10n, 10n, 10n] } };
    await assert.rejects(
      borrowWithReport(clients, {
        pool: stack.pool,
        pull: tampered,
        collateralAmount: 2n * METH,
        requestedAmount: 1_000n * USD,
        drawAmount: 0n,
        attestation: await attest(account.address, salt, FEATURES),
      }),
      (error) => {
        const decoded = decodeContractError(error);
        // the edited values recover other addresses than the network's signers
        assert.equal(decoded?.name, "OracleCoordinatorUnknownSigner");
        assert.match(decoded!.message, /tampered/);
        return true;
      },
    );
  });

  test("an expired report is refused with OracleCoordinatorReportExpired", async () => {
    const { account, clients } = await borrower(stack, 3, 10n * METH);
    const salt = newSalt();
    const pull = await pullReport(account.address, salt, 1);
    await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [3_600] as never });
    await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const attestation = await attest(account.address, salt, FEATURES);
    await assert.rejects(
      borrowWithReport(clients, { pool: stack.pool, pull, collateralAmount: 2n * METH, requestedAmount: 1_000n * USD, drawAmount: 0n, attestation }),
      (error) => {
        const decoded = decodeContractError(error);
        assert.equal(decoded?.name, "OracleCoordinatorReportExpired");
        assert.equal(decoded!.args[0], pull.report.validUntil);
        return true;
      },
    );
  });

  test("raw revert data decodes by selector against every contract's errors", () => {
    const data = encodeErrorResult({
      abi: lendingPoolAbi,
      errorName: "AttestationRegistryUntrustedAttester",
      args: [stack.modelId, stack.deployer.address],
    });
    const decoded = decodeRevertData(data);
    assert.equal(decoded?.name, "AttestationRegistryUntrustedAttester");
    assert.match(decoded!.message, new RegExp(stack.deployer.address));
    assert.equal(decodeRevertData("0xdeadbeef"), null);
  });
});

describe("push mode", () => {
  test("requestPrediction resolves with the network's answer from PredictionFulfilled", async () => {
    const fromBlock = await stack.publicClient.getBlockNumber();
    const requestId = await requestPrediction(stack, {
      coordinator: stack.coordinator,
      consumer: stack.consumer,
      modelId: stack.modelId,
      features: FEATURES,
    });
    const waiting = waitForPrediction(stack.publicClient, stack.coordinator, requestId, { fromBlock, pollMs: 100, timeoutMs: 30_000 });
    const [requested] = await stack.publicClient.getContractEvents({
      address: stack.coordinator,
      abi: oracleCoordinatorAbi,
      eventName: "PredictionRequested",
      args: { requestId },
      fromBlock,
    });
    assert.equal(requested.args.request!.feeWei, await requestFee(stack.publicClient, stack.coordinator, stack.modelId, 100_000));
    const values = [1_200n, 1_234n, 1_300n];
    const report = { requestId, request: requested.args.request!, status: 0, values };
    const signatures: Hex[] = [];
    for (const [i, signer] of stack.signers.slice(0, 3).entries()) {
      const digest = await stack.publicClient.readContract({
        address: stack.coordinator,
        abi: oracleCoordinatorAbi,
        functionName: "observationDigest",
        args: [report, values[i]],
      });
      signatures.push(await compactSign(signer, digest));
    }
    const relayer = stack.walletFor(stack.signers[3]);
    await stack.publicClient.waitForTransactionReceipt({
      hash: await relayer.writeContract({ address: stack.coordinator, abi: oracleCoordinatorAbi, functionName: "fulfill", args: [report, concatHex(signatures)] }),
    });
    const answer = await waiting;
    assert.equal(answer.status, "OK");
    assert.equal(answer.value, 1_234n);
  });

  test("requestFee is the coordinator's price for the callback gas; a request paying less is refused, decoded", async () => {
    const read = (functionName: "FULFILMENT_BASE_GAS" | "FULFILMENT_GAS_PER_SIGNER") =>
      stack.publicClient.readContract({ address: stack.coordinator, abi: oracleCoordinatorAbi, functionName });
    const fulfilmentGas = (await read("FULFILMENT_BASE_GAS")) + (await read("FULFILMENT_GAS_PER_SIGNER")) * BigInt(THRESHOLD);
    const fee = await requestFee(stack.publicClient, stack.coordinator, stack.modelId, 200_000);
    assert.equal(fee, PRICING.feeWei + (200_000n + fulfilmentGas) * PRICING.gasPriceWei);
    const deadline = (await stack.publicClient.getBlock()).timestamp + 3_600n;
    await assert.rejects(
      stack.publicClient.simulateContract({
        address: stack.consumer,
        abi: consumerMockAbi,
        functionName: "request",
        args: [stack.modelId, [...FEATURES], deadline, 200_000],
        value: fee - 1n,
        account: stack.deployer,
      }),
      (error) => {
        const decoded = decodeContractError(error);
        assert.equal(decoded?.name, "OracleCoordinatorFeeTooLow");
        assert.deepEqual(decoded!.args, [fee, fee - 1n]);
        assert.match(decoded!.message, /at least/);
        return true;
      },
    );
  });

  test("applyForLoan puts only the commitment on chain and seals the features to every node", async () => {
    const { account, clients } = await borrower(stack, 4, 10n * METH);
    const salt = newSalt();
    const recipients = await networkRecipients(stack.publicClient, stack.coordinator);
    const fromBlock = await stack.publicClient.getBlockNumber();
    const loanId = await applyForLoan(clients, {
      pool: stack.pool,
      coordinator: stack.coordinator,
      collateralAmount: 2n * METH,
      requestedAmount: 1_000n * USD,
      features: FEATURES,
      salt,
      attestation: await attest(account.address, salt, FEATURES),
      recipients,
    });
    const [requested] = await stack.publicClient.getContractEvents({
      address: stack.coordinator,
      abi: oracleCoordinatorAbi,
      eventName: "PrivatePredictionRequested",
      args: { requestId: loanId },
      fromBlock,
    });
    assert.equal(requested.args.request!.inputHash, inputCommitment(salt, FEATURES));
    assert.deepEqual(recipientsOf(requested.args.encryptedInput!), stack.signers.map((s) => s.address as string));
    // the network answers: the pool decides
    const values = [PD_BPS, PD_BPS, PD_BPS];
    const report = { requestId: loanId, request: requested.args.request!, status: 0, values };
    const signatures: Hex[] = [];
    for (const [i, signer] of stack.signers.slice(0, 3).entries()) {
      const digest = await stack.publicClient.readContract({ address: stack.coordinator, abi: oracleCoordinatorAbi, functionName: "observationDigest", args: [report, values[i]] });
      signatures.push(await compactSign(signer, digest));
    }
    const hash = await stack.walletClient.writeContract({ address: stack.coordinator, abi: oracleCoordinatorAbi, functionName: "fulfill", args: [report, concatHex(signatures)] });
    await stack.publicClient.waitForTransactionReceipt({ hash });
    const decision = await waitForLoanDecision(stack.publicClient, stack.pool, loanId, { fromBlock, pollMs: 100, timeoutMs: 30_000 });
    assert.equal(decision.approved, true);
    assert.equal(decision.pdBps, PD_BPS);
  });

  test("an edited feature no longer matches the attestation: the pool refuses, decoded", async () => {
    const { account, clients } = await borrower(stack, 5, 10n * METH);
    const salt = newSalt();
    const attestation = await attest(account.address, salt, FEATURES);
    const edited = FEATURES.map((f, i) => (i === 3 ? f * 3n : f));
    await assert.rejects(
      applyForLoan(clients, {
        pool: stack.pool,
        coordinator: stack.coordinator,
        collateralAmount: 2n * METH,
        requestedAmount: 1_000n * USD,
        features: edited,
        salt,
        attestation,
        recipients: await networkRecipients(stack.publicClient, stack.coordinator),
      }),
      (error) => decodeContractError(error)?.name === "AttestationRegistryUntrustedAttester",
    );
  });
});

describe("private inputs", () => {
  test("a node's Python code opens what the client sealed (oracle/privacy/envelope.py)", () => {
    const salt = newSalt();
    // as a deployments file lists them: uncompressed keys (the coordinator publishes compressed ones)
    const recipients = deploymentRecipients(
      parseDeployment({
        chainId: stack.chainId,
        nodes: stack.signers.map((signer, i) => ({ signer: signer.address, encryptionKey: `0x${stack.encryptionKeys[i].publicKey.toHex(false)}` })),
      }),
    );
    const payload = sealPrivateInput(salt, FEATURES, recipients);
    assert.equal((payload.length - 2) / 2, 2 + 4 * 117 + 12 + 96 + 32 * FEATURES.length + 16);
    const python = join(ROOT, ".venv", "bin", "python");
    const script = [
      "import sys, coincurve",
      "from oracle.privacy.envelope import open_envelope",
      "salt, features = open_envelope(bytes.fromhex(sys.argv[1][2:]), sys.argv[2], coincurve.PrivateKey(bytes.fromhex(sys.argv[3])))",
      "print('0x' + salt.hex(), ','.join(map(str, features)))",
    ].join("\n");
    const opened = execFileSync(python, ["-c", script, payload, stack.signers[2].address, stack.encryptionKeys[2].toHex()], { cwd: ROOT, encoding: "utf8" });
    assert.equal(opened.trim(), `${salt} ${FEATURES.join(",")}`);
  });

  test("the commitment is Python's keccak256(abi.encode(salt, features))", () => {
    const salt = ("0x" + "11".repeat(32)) as Hex;
    const python = join(ROOT, ".venv", "bin", "python");
    const expected = execFileSync(
      python,
      ["-c", "from oracle.privacy.commitment import commitment\nprint('0x' + commitment(b'\\x11' * 32, [3, 12, 35, 120, 3500, 0, 1000, 1844, 2, 0, 0]).hex())"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(inputCommitment(salt, FEATURES), expected.trim());
  });
});

describe("schemas and deployments", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, "models", "credit-risk", "schema.json"), "utf8"));
  const card: ModelCard = { ...schema, model_id: "0x", served: true, refused_reason: null, artifact_hash: null, schema_hash: null, registration: null, metrics: {}, libraries: {} };

  test("features encode and decode by the model's scales, and out-of-range values are refused", () => {
    const names = schema.features.map((f: { name: string }) => f.name);
    const real = Object.fromEntries(names.map((name: string, i: number) => [name, Number(FEATURES[i]) / schema.features[i].scale]));
    assert.deepEqual(encodeFeatures(card, real), FEATURES);
    assert.equal(Object.keys(decodeFeatures(card, FEATURES)).length, FEATURES.length);
    assert.throws(() => encodeFeatures(card, { ...real, [names[1]]: 1_000 }), /outside/);
    assert.equal(decodeOutput(card, 1_234n), 1_234 / schema.output.scale);
  });

  test("a deployments file is parsed with checksummed addresses and says what is missing", () => {
    const deployment = parseDeployment({
      chainId: 31337,
      contracts: { LendingPool: stack.pool.toLowerCase() },
      models: { "credit-risk": stack.modelId },
      nodes: [{ signer: stack.signers[0].address.toLowerCase(), encryptionKey: "0x02" }],
    });
    assert.equal(deployment.contracts.LendingPool, stack.pool);
    assert.equal(deployment.nodes[0].signer, stack.signers[0].address);
    assert.throws(() => parseDeployment({ chainId: 1, contracts: { LendingPool: "0x12" } }), /not an address/);
  });

  test("the README documents every feature of every model with its unit and scale, in order", () => {
    const readme = readFileSync(join(ROOT, "js", "client", "README.md"), "utf8");
    for (const model of ["credit-risk", "delivery-delay", "shipment-condition"]) {
      const { features } = JSON.parse(readFileSync(join(ROOT, "models", model, "schema.json"), "utf8"));
      const section = readme.split(`### ${model}\n`)[1]?.split("\n### ")[0] ?? "";
      features.forEach((f: { name: string; unit: string; scale: number }, i: number) => {
        assert.ok(section.includes(`| ${i} | \`${f.name}\` | ${f.unit || "-"} | ${f.scale} |`), `${model} feature ${i} ${f.name}`);
      });
    }
  });

  test("every LoanDecided field the page shows is in the pool's ABI", () => {
    const event = lendingPoolAbi.find((i) => i.type === "event" && i.name === "LoanDecided");
    assert.ok(event);
    assert.equal(parseEventLogs({ abi: lendingPoolAbi, logs: [] }).length, 0);
  });
});
