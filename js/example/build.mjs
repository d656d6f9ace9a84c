// Bundles the example page into dist/ (index.html, app.js, style.css) with esbuild, and writes
// dist/demo-data.json: held-out rows of the models (models/*/held_out.csv) the page offers as applicants
// and shipments. make up adds dist/deployments.json.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const models = join(here, "..", "..", "models");
const dist = join(here, "dist");

function heldOut(model) {
  const schema = JSON.parse(readFileSync(join(models, model, "schema.json"), "utf8"));
  const [header, ...lines] = readFileSync(join(models, model, "held_out.csv"), "utf8").trim().split("\n");
  const columns = header.split(",");
  const rows = lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [columns[i], value])));
  const features = (row) => schema.features.map((f) => Number(row[f.name]));
  return { rows, features };
}

const credit = heldOut("credit-risk");
const delay = heldOut("delivery-delay");
const condition = heldOut("shipment-condition");
const cleanest = [...condition.rows].filter((r) => r.label === "0").sort((a, b) => a.expected_condition_score_bps - b.expected_condition_score_bps);
const demoData = {
  applicants: credit.rows.slice(0, 8).map((row) => ({
    rowId: Number(row.row_id),
    features: credit.features(row),
    amount: Number(row.amount),
  })),
  shipment: {
    origin: "pharmaceuticals, EWR",
    delayFeatures: delay.features(delay.rows.find((r) => r.label === "0")),
    checkpoints: cleanest.slice(0, 2).map((row, i) => ({
      location: ["origin packhouse", "destination DC"][i],
      rowId: Number(row.row_id),
      features: condition.features(row),
    })),
  },
};

mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  minify: true,
  sourcemap: true,
  outfile: join(dist, "app.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(dist, "index.html"));
copyFileSync(join(here, "style.css"), join(dist, "style.css"));
writeFileSync(join(dist, "demo-data.json"), JSON.stringify(demoData, null, 2) + "\n");
console.log(`example page built in ${dist}`);
