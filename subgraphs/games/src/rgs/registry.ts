import type { AnyRgsAdapter } from "./adapter.ts";
import { hub88Adapter } from "./hub88/adapter.ts";
import { softswissAdapter } from "./softswiss/adapter.ts";

/** Every protocol the games service speaks; a provider's `protocol` names one of them. */
export const ADAPTERS: readonly AnyRgsAdapter[] = [hub88Adapter, softswissAdapter];
