// The node's HTTP API as a browser or a script calls it: model cards (public) and pull-mode reports (a
// publishable `pk_` key in a page, limited by the operator to an origin, the pull scope and a rate; a
// secret key only on a server). Errors come back in the API's one shape: {error: {code, message, details}}.
import type { Address, Hex } from "viem";
import type { ModelCard } from "./schema.js";

export interface PullRequest {
  model: string;
  /** fixed-point integers in the schema's order and scales (encodeFeatures) */
  features: readonly bigint[];
  /** the address that will submit the report; no one else can use it */
  subject: Address;
  /** the contract that will accept it, once */
  consumer: Address;
  validForSeconds?: number;
  /** the salt of the attested commitment; the node draws one when absent */
  salt?: Hex;
  attestation?: { expiresAt: bigint; signature: Hex };
}

/** The coordinator's PullReport struct as viem takes it. */
export interface PullReportStruct {
  subject: Address;
  consumer: Address;
  validUntil: bigint;
  modelId: Hex;
  artifactHash: Hex;
  inputHash: Hex;
  status: number;
  values: readonly bigint[];
}

export interface PullReport {
  model: string;
  status: "OK" | "INVALID_INPUT" | "MODEL_ERROR";
  /** fixed-point in the schema's output scale (credit-risk: PD in basis points) */
  value: bigint;
  outputScale: number;
  salt: Hex;
  signers: Address[];
  report: PullReportStruct;
  /** 64-byte EIP-2098 signatures concatenated in the order of report.values */
  signatures: Hex;
}

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; reason: string }[] = [],
  ) {
    super(message);
  }
}

export class OracleApi {
  constructor(
    readonly baseUrl: string,
    /** a publishable pk_ key in a browser, a secret key on a server; only pull reports need one */
    readonly apiKey?: string,
  ) {}

  async models(): Promise<ModelCard[]> {
    return (await this.call<{ items: ModelCard[] }>("GET", "/v1/models")).items;
  }

  async model(name: string): Promise<ModelCard> {
    return this.call<ModelCard>("GET", `/v1/models/${encodeURIComponent(name)}`);
  }

  /** A report signed by the network's threshold of nodes, bound to `subject` and `consumer`. */
  async pullReport(request: PullRequest): Promise<PullReport> {
    const body = {
      model: request.model,
      features: request.features.map((f) => Number(f)),
      subject: request.subject,
      consumer: request.consumer,
      ...(request.validForSeconds === undefined ? {} : { valid_for_seconds: request.validForSeconds }),
      ...(request.salt === undefined ? {} : { salt: request.salt }),
      ...(request.attestation === undefined
        ? {}
        : { attestation: { expires_at: Number(request.attestation.expiresAt), signature: request.attestation.signature } }),
    };
    const answer = await this.call<RawPrediction>("POST", "/v1/predictions", body);
    const r = answer.report;
    return {
      model: answer.model,
      status: answer.status,
      value: BigInt(answer.value),
      outputScale: answer.output_scale,
      salt: answer.salt,
      signers: answer.signers,
      report: {
        subject: r.subject,
        consumer: r.consumer,
        validUntil: BigInt(r.validUntil),
        modelId: r.modelId,
        artifactHash: r.artifactHash,
        inputHash: r.inputHash,
        status: r.status,
        values: r.values.map((v) => BigInt(v)),
      },
      signatures: answer.signatures,
    };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.apiKey && method !== "GET") headers["x-api-key"] = this.apiKey;
    const url = this.baseUrl.replace(/\/$/, "") + path;
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) {
      let error: { code?: string; message?: string; details?: { field?: string; reason: string }[] } = {};
      try {
        error = JSON.parse(text).error ?? {};
      } catch {
        /* not the API's error shape: keep the status */
      }
      const reasons = (error.details ?? []).map((d) => (d.field ? `${d.field}: ${d.reason}` : d.reason));
      throw new ApiError(
        response.status,
        error.code ?? "http_error",
        `${method} ${path} answered ${response.status}: ${error.message ?? text.slice(0, 200)}` +
          (reasons.length ? ` (${reasons.join("; ")})` : ""),
        error.details,
      );
    }
    return JSON.parse(text) as T;
  }
}

interface RawPrediction {
  model: string;
  status: "OK" | "INVALID_INPUT" | "MODEL_ERROR";
  value: number;
  output_scale: number;
  salt: Hex;
  signers: Address[];
  signatures: Hex;
  report: {
    subject: Address;
    consumer: Address;
    validUntil: number;
    modelId: Hex;
    artifactHash: Hex;
    inputHash: Hex;
    status: number;
    values: number[];
  };
}
