// Fixed-point numbers by the model's schema (GET /v1/models/{name}): every feature and the output cross the
// chain as integers, value = round(real * scale). The schema's hash is registered on chain with the model.
import type { Hex } from "viem";

export interface Category {
  code: number;
  label: string;
}

export interface FeatureSpec {
  name: string;
  kind: "numeric" | "categorical";
  scale: number;
  min: number | null;
  max: number | null;
  categories: Category[] | null;
  unit: string;
  description: string;
}

export interface OutputSpec {
  name: string;
  scale: number;
  min: number;
  max: number;
  unit: string;
  description: string;
}

export interface Registration {
  version: number;
  artifact_hash: Hex;
  schema_hash: Hex;
  /** base fee of a push request: decimal string, wei */
  fee_wei: string;
  /** the gas price a push request also pays its callback and fulfilment gas at: decimal string, wei (0: the
   * base fee is the whole fee). The exact fee of a request is the coordinator's `requestFee` (see `requestFee`). */
  gas_price_wei: string;
  /** the largest callback gas limit a push request may ask for */
  max_callback_gas_limit: number;
  active: boolean;
}

/** GET /v1/models/{name}: the model's card. */
export interface ModelCard {
  name: string;
  model_id: Hex;
  served: boolean;
  refused_reason: string | null;
  artifact_hash: Hex | null;
  schema_hash: Hex | null;
  registration: Registration | null;
  description?: string | null;
  schema_version?: number | null;
  features?: FeatureSpec[] | null;
  output?: OutputSpec | null;
  metrics: Record<string, number>;
  libraries: Record<string, string>;
}

export class SchemaError extends Error {
  override name = "SchemaError";
}

/** The real output a fixed-point value stands for (credit-risk: 1234 bps -> 0.1234). */
export function decodeOutput(card: ModelCard, value: bigint | number): number {
  return Number(value) / outputOf(card).scale;
}

/** Real feature values -> the integers a request carries, checked against the schema's ranges and codes. */
export function encodeFeatures(card: ModelCard, values: Record<string, number>): bigint[] {
  return featuresOf(card).map((feature) => {
    const real = values[feature.name];
    if (real === undefined || !Number.isFinite(real)) throw new SchemaError(`feature ${feature.name} is missing`);
    if (feature.kind === "categorical" && !feature.categories?.some((c) => c.code === real)) {
      throw new SchemaError(`feature ${feature.name}: ${real} is not one of its category codes`);
    }
    if ((feature.min !== null && real < feature.min) || (feature.max !== null && real > feature.max)) {
      throw new SchemaError(`feature ${feature.name}: ${real} is outside [${feature.min}, ${feature.max}] ${feature.unit}`);
    }
    return BigInt(Math.round(real * feature.scale));
  });
}

/** The integers of a request -> real values by name (categorical features also by label). */
export function decodeFeatures(card: ModelCard, encoded: readonly (bigint | number)[]): Record<string, number | string> {
  const features = featuresOf(card);
  if (encoded.length !== features.length) {
    throw new SchemaError(`${card.name} takes ${features.length} features, got ${encoded.length}`);
  }
  return Object.fromEntries(
    features.map((feature, i) => {
      const real = Number(encoded[i]) / feature.scale;
      const label = feature.categories?.find((c) => c.code === real)?.label;
      return [feature.name, label ?? real];
    }),
  );
}

function featuresOf(card: ModelCard): FeatureSpec[] {
  if (!card.features) throw new SchemaError(`model ${card.name} is not served by this node: ${card.refused_reason ?? "no schema"}`);
  return card.features;
}

function outputOf(card: ModelCard): OutputSpec {
  if (!card.output) throw new SchemaError(`model ${card.name} is not served by this node: ${card.refused_reason ?? "no schema"}`);
  return card.output;
}
