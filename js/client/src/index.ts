export * from "./abi/index.js";
export * from "./api.js";
export * from "./attestation.js";
export * from "./deployments.js";
export * from "./errors.js";
export * from "./flows.js";
export * from "./privacy.js";
export * from "./schema.js";
