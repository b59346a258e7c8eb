export * from "./protocol.ts";
export { decideOutcome, type Outcome } from "./rules.ts";
export { InvalidVerificationRequest, KycSimulator, type KycSimulatorOptions, type SentCallback } from "./simulator.ts";
