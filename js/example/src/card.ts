// The model's card from the API: what it predicts, its inputs with units and scales, held-out metrics and
// its registration on chain.
import type { ModelCard } from "@ai-oracle/client";
import { formatEther, formatGwei } from "viem";
import { el, table } from "./view.js";

export function renderCard(card: ModelCard): HTMLElement {
  const root = el("div");
  root.appendChild(el("p", `${card.name}: ${card.description ?? ""}`));
  if (card.output) {
    root.appendChild(el("p", `Output: ${card.output.name} (${card.output.unit}, scale ${card.output.scale}): ${card.output.description}`));
  }
  const registration = card.registration;
  root.appendChild(
    el(
      "p",
      registration
        ? `On chain: version ${registration.version}, ${registration.active ? "active" : "inactive"}; a push request pays ${formatEther(BigInt(registration.fee_wei))} ETH plus its callback and fulfilment gas at ${formatGwei(BigInt(registration.gas_price_wei))} gwei (callbacks up to ${registration.max_callback_gas_limit.toLocaleString()} gas); artifact ${registration.artifact_hash.slice(0, 18)}...`
        : "not registered on chain",
    ),
  );
  const metrics = Object.entries(card.metrics).map(([name, value]) => [name, Number.isInteger(value) ? value : value.toFixed(4)]);
  if (metrics.length) {
    root.appendChild(el("h3", "Held-out metrics"));
    root.appendChild(table(metrics, ["metric", "value"]));
  }
  if (card.features) {
    root.appendChild(el("h3", "Features"));
    const range = (f: { min: number | null; max: number | null; categories: unknown[] | null }) =>
      f.categories ? `${f.categories.length} categories` : `${f.min ?? "-"} .. ${f.max ?? "-"}`;
    root.appendChild(table(card.features.map((f) => [f.name, f.unit, range(f), f.scale]), ["feature", "unit", "range", "scale"]));
  }
  return root;
}
