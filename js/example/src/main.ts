// The example page: wiring only; each flow lives in its own module and in @ai-oracle/client.
import { contract, explainError, fetchDeployment, OracleApi, shipmentTrail, type Deployment, type LoanDecision } from "@ai-oracle/client";
import { renderCard } from "./card.js";
import { connectDevKey, connectWallet, LOCAL_CHAIN_ID, type Connection } from "./connection.js";
import { applyPush, borrowPull, type Applicant } from "./loan.js";
import { describe, runDemoShipment, shipmentState, type DemoShipment } from "./shipment.js";
import { $, el, percent, status } from "./view.js";

interface DemoData {
  applicants: Applicant[];
  shipment: DemoShipment;
}

let deployment: Deployment;
let demo: DemoData;
let connection: Connection | undefined;

function showDecision(path: string, decision: LoanDecision): void {
  const box = el("div", undefined, `decision ${decision.approved ? "approved" : "declined"}`);
  box.dataset.loanId = decision.loanId;
  box.appendChild(el("strong", `${path}: ${decision.approved ? "approved" : "declined"}`));
  const terms =
    decision.status !== "OK"
      ? `the oracle answered ${decision.status}`
      : decision.approved
        ? `PD ${percent(decision.pdBps)}, APR ${percent(decision.aprBps)}, max LTV ${percent(decision.ltvBps)}, draw until ${new Date(Number(decision.drawDeadline) * 1000).toLocaleString()}`
        : `PD ${percent(decision.pdBps)} is above the pool's limit`;
  box.appendChild(el("div", terms));
  box.appendChild(el("code", `loan ${decision.loanId}`));
  $("decision").prepend(box);
}

async function run(button: string, work: () => Promise<void>): Promise<void> {
  const element = $(button) as HTMLButtonElement;
  element.disabled = true;
  try {
    await work();
  } catch (error) {
    status(explainError(error), true);
    console.error(error);
  } finally {
    element.disabled = false;
  }
}

function selectedApplicant(): Applicant {
  return demo.applicants[Number(($("applicant") as HTMLSelectElement).value)];
}

function connected(next: Connection): void {
  connection = next;
  $("chain").textContent = `chain ${deployment.chainId}: ${next.label}`;
  for (const id of ["apply-push", "borrow-pull", "follow-shipment"]) ($(id) as HTMLButtonElement).disabled = false;
  ($("run-shipment") as HTMLButtonElement).disabled = deployment.chainId !== LOCAL_CHAIN_ID;
  status("connected");
}

async function showTrail(id: bigint): Promise<void> {
  const escrow = contract(deployment, "SupplyChainEscrow");
  const trail = await shipmentTrail(connection!.publicClient, escrow, id);
  const list = $("trail");
  list.replaceChildren(...trail.map((entry) => el("li", `${describe(entry)}  (block ${entry.blockNumber})`)));
  $("shipment-outcome").textContent = trail.length
    ? `Shipment #${id}: ${await shipmentState(deployment, connection!.publicClient, id)}`
    : `No shipment #${id} on this escrow`;
}

async function start(): Promise<void> {
  deployment = await fetchDeployment("./deployments.json");
  demo = await (await fetch("./demo-data.json")).json();
  const select = $("applicant") as HTMLSelectElement;
  demo.applicants.forEach((applicant, i) => select.appendChild(Object.assign(el("option", `row ${applicant.rowId}: ${applicant.amount.toLocaleString()} mUSD`), { value: String(i) })));
  const showFeatures = () => ($("applicant-features").textContent = `features (schema order, fixed-point): ${selectedApplicant().features.join(", ")}`);
  select.addEventListener("change", showFeatures);
  showFeatures();

  $("connect-wallet").addEventListener("click", () => run("connect-wallet", async () => connected(await connectWallet(deployment))));
  $("use-dev-key").addEventListener("click", () => run("use-dev-key", async () => connected(connectDevKey(deployment))));
  $("apply-push").addEventListener("click", () =>
    run("apply-push", async () => {
      showDecision("Push application", await applyPush(deployment, connection!.applicant, selectedApplicant(), status));
      status("decided by the oracle network");
    }),
  );
  $("borrow-pull").addEventListener("click", () =>
    run("borrow-pull", async () => {
      showDecision("Instant loan", await borrowPull(deployment, connection!.applicant, selectedApplicant(), status));
      status("decided in the borrower's own transaction");
    }),
  );
  $("run-shipment").addEventListener("click", () =>
    run("run-shipment", async () => {
      const id = await runDemoShipment(deployment, connection!, demo.shipment, status);
      ($("shipment-id") as HTMLInputElement).value = String(id);
      await showTrail(id);
      status(`shipment #${id} delivered and judged`);
    }),
  );
  $("follow-shipment").addEventListener("click", () => run("follow-shipment", () => showTrail(BigInt(($("shipment-id") as HTMLInputElement).value))));

  if (deployment.apiUrl) {
    try {
      $("model-card").replaceChildren(renderCard(await new OracleApi(deployment.apiUrl).model("credit-risk")));
    } catch (error) {
      $("model-card").replaceChildren(el("p", explainError(error), "error"));
    }
  }
  if (!window.ethereum && deployment.chainId === LOCAL_CHAIN_ID) connected(connectDevKey(deployment));
  document.body.dataset.ready = "true";
}

start().catch((error) => status(`the page cannot start: ${explainError(error)}`, true));
