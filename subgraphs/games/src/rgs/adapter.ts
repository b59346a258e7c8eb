/**
 * What a protocol adapter is: it turns one HTTP callback (raw body bytes and headers) into commands
 * of the normalised model, runs them through the GameTransactionService and writes the protocol's
 * answer. A third protocol is a new folder exporting one of these, added to ADAPTERS in registry.ts.
 */
import type { z } from "zod";
import type { RgsProvider } from "./model.ts";
import type { GameTransactionService } from "./service.ts";

export interface RgsRequest {
  /** The path after /rgs/<provider>, e.g. "/transaction/bet". */
  endpoint: string;
  /** Exactly the bytes received: signatures are computed over them. */
  body: Buffer;
  /** Lower-case names, as node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface RgsResponse {
  status: number;
  /** The exact bytes sent (signed responses are signed over them). */
  body: string;
  headers: Record<string, string>;
}

/** A provider whose RGS configuration was found, enabled and valid, with its parsed credentials. */
export interface ConfiguredProvider<C> extends RgsProvider {
  credentials: C;
}

/**
 * One field of a protocol's stored credentials. Secrets (private keys, shared secrets) are write-only
 * for staff and may be held as {"env": "NAME"}; the other fields (a partner's public key) may be shown.
 */
export interface CredentialField {
  name: string;
  secret: boolean;
}

export interface RgsAdapter<C = unknown> {
  readonly protocol: string;
  /** Every field of the protocol's credentials, as credentialsSchema reads them. */
  readonly credentialFields: readonly CredentialField[];
  /**
   * Validates a provider's stored credentials (keys parsed, secrets resolved); `env` resolves secret
   * references. Each issue's path names the failing field, and no issue message may hold a value.
   */
  credentialsSchema(env: Record<string, string | undefined>): z.ZodType<C>;
  /** `provider` is null when the provider is unknown, disabled or not configured for RGS. */
  handle(request: RgsRequest, provider: ConfiguredProvider<C> | null, service: GameTransactionService): Promise<RgsResponse>;
  /** The protocol's answer to a failure of ours (an exception), so that the provider retries. */
  internalError(request: RgsRequest, provider: ConfiguredProvider<C> | null): RgsResponse;
}

/** Registering an adapter erases its credential type; the registry pairs each provider with its own adapter. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRgsAdapter = RgsAdapter<any>;
