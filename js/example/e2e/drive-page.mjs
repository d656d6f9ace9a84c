// Drives the example page in Debian's headless Chromium (playwright-core, never a downloaded browser)
// against a running stack (make up): an instant loan (pull), a push application decided by the oracle
// network, the model card, a demo shipment's trail; then a screenshot.
//   node js/example/e2e/drive-page.mjs <deployments.json> <screenshot.png>
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

const [deploymentsPath, screenshot] = process.argv.slice(2);
if (!deploymentsPath || !screenshot) throw new Error("usage: drive-page.mjs <deployments.json> <screenshot.png>");
const deployment = JSON.parse(readFileSync(deploymentsPath, "utf8"));
if (!deployment.pageUrl) throw new Error(`${deploymentsPath} has no pageUrl: is js/example/dist built and served (make up)?`);

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const STEP_MS = 240_000;

const profile = mkdtempSync(join(tmpdir(), "example-page-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: FLAGS,
  viewport: { width: 1280, height: 1000 },
});
const problems = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  await page.goto(deployment.pageUrl);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });

  async function step(button, done, what) {
    await page.click(button);
    try {
      await page.waitForFunction(done, null, { timeout: STEP_MS, polling: 250 });
    } catch (error) {
      const shown = await page.textContent("#status");
      throw new Error(`${what}: not shown within ${STEP_MS / 1000} s; the page says: ${shown}`);
    }
    const failed = await page.$("#status.error");
    if (failed) throw new Error(`${what}: the page reported ${await failed.textContent()}`);
    console.log(`${what}: ok`);
  }

  await step("#borrow-pull", () => document.querySelector("#decision")?.textContent?.includes("Instant loan:"), "instant loan (pull)");
  await step("#apply-push", () => document.querySelector("#decision")?.textContent?.includes("Push application:"), "push application");
  await page.waitForSelector("#model-card table", { timeout: 30_000 });
  console.log("model card: ok");
  await step("#run-shipment", () => document.querySelector("#shipment-outcome")?.textContent?.includes("outcome"), "shipment trail and outcome");

  const decisions = await page.$$eval(".decision strong", (nodes) => nodes.map((n) => n.textContent));
  console.log(`decisions on the page: ${JSON.stringify(decisions)}`);
  console.log(`shipment: ${await page.textContent("#shipment-outcome")}`);
  console.log(`trail: ${JSON.stringify(await page.$$eval("#trail li", (nodes) => nodes.map((n) => n.textContent)))}`);
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot saved to ${screenshot}`);
  const unexpected = problems.filter((p) => !p.includes("favicon"));
  if (unexpected.length) throw new Error(`the page logged errors:\n${unexpected.join("\n")}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
