export { outcomeByAmount, PspSimulatorBase, type ApiMode, type Outcome, type SentNotification, type SimulatorOptions } from "./delivery.ts";
export { NuveiSimulator, type NuveiSimulatorOptions } from "./nuvei.ts";
export { StripeSimulator, type StripeSimulatorOptions } from "./stripe.ts";
export { serializeData as serializeTrustlyData, TrustlySimulator, type TrustlySimulatorOptions } from "./trustly.ts";
