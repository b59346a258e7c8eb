/**
 * Staff's view and changes of the RGS configuration of remote providers (rgs_provider_config and
 * the provider's launch URL template). Credentials go through the protocol adapter's own
 * credentialsSchema before anything is written; secrets are write-only: no view, message, event or
 * log line holds one, only which fields are set and how (stored, or an environment variable's name).
 * Every change is one transaction with a games.rgs_provider_configured event (who, which fields) and
 * is then forgotten by this process's provider cache.
 */
import { outboxRow } from "@casino/kernel/events/outbox";
import { parseId } from "@casino/kernel/ids";
import type { ConfigureRgsProviderInput } from "../generated/graphql.ts";
import type { Prisma, PrismaClient, Provider, RgsProviderConfig } from "../generated/prisma/client.ts";
import type { AnyRgsAdapter } from "./adapter.ts";
import { invalidFields, parseConfigureRgsProviderInput } from "./provider-config-input.ts";

type Tx = Prisma.TransactionClient;

export const RGS_PROVIDER_CONFIGURED = "games.rgs_provider_configured";

export type CredentialSource = "STORED" | "ENV" | "UNSET";

export interface RgsCredentialFieldView {
  name: string;
  secret: boolean;
  source: CredentialSource;
  /** The variable's name when the source is ENV. */
  env: string | null;
  /** Only for a field that is no secret, valid, and holds no private key. */
  publicValue: string | null;
  valid: boolean;
}

export interface RgsProviderConfigView {
  provider: Provider;
  protocol: string;
  configured: boolean;
  enabled: boolean;
  allowedCurrencies: string[];
  allowedGameCodes: string[];
  launchUrlTemplate: string | null;
  credentials: RgsCredentialFieldView[];
  credentialsValid: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface RgsConfigChange {
  config: RgsProviderConfigView;
  /** What changed, by field name (credentials as `credentials.<name>`); empty when nothing did. */
  changed: string[];
}

/** The stored credentials as an object of fields; anything else (written by hand in SQL) holds none. */
function storedCredentials(json: unknown): Record<string, unknown> {
  return json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

const isEnvReference = (value: unknown): value is { env: string } =>
  value !== null && typeof value === "object" && typeof (value as { env?: unknown }).env === "string";

/** The adapter's verdict on credentials, by field: failing field names, or every field for an issue of the whole. */
function invalidCredentialFields(adapter: AnyRgsAdapter, credentials: Record<string, unknown>, env: Record<string, string | undefined>): Set<string> {
  const parsed = adapter.credentialsSchema(env).safeParse(credentials);
  if (parsed.success) return new Set();
  const names = adapter.credentialFields.map((f) => f.name);
  return new Set(parsed.error.issues.flatMap((issue) => (typeof issue.path[0] === "string" && names.includes(issue.path[0]) ? [issue.path[0]] : names)));
}

export class RgsProviderConfigs {
  private readonly adapters: Map<string, AnyRgsAdapter>;

  constructor(
    private readonly prisma: PrismaClient,
    adapters: readonly AnyRgsAdapter[],
    /** Resolves {"env": "NAME"} references, as the callbacks' provider lookups do. */
    private readonly env: Record<string, string | undefined>,
    private readonly publishOutbox: () => void,
    /** Called with the provider's code after each committed change (RgsProviders.forget). */
    private readonly changed: (providerCode: string) => void,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.protocol, a]));
  }

  /** A provider's catalogue row changed (its protocol, enabled): callbacks in this process read it afresh. */
  providerChanged(providerCode: string): void {
    this.changed(providerCode);
  }

  /** Null for an unknown provider and for one without an RGS protocol (our own games). */
  async view(rawProviderId: string): Promise<RgsProviderConfigView | null> {
    const providerId = parseId(rawProviderId, "providerId");
    const provider = await this.prisma.provider.findUnique({ where: { id: providerId } });
    if (!provider?.protocol) return null;
    return this.viewOf(provider, await this.prisma.rgsProviderConfig.findUnique({ where: { providerId } }));
  }

  /** Every provider with an RGS protocol, configured or not, by name. */
  async list(): Promise<RgsProviderConfigView[]> {
    const providers = await this.prisma.provider.findMany({ where: { protocol: { not: null } }, orderBy: [{ name: "asc" }, { code: "asc" }] });
    const configs = await this.prisma.rgsProviderConfig.findMany({ where: { providerId: { in: providers.map((p) => p.id) } } });
    const byProvider = new Map(configs.map((c) => [c.providerId, c]));
    return providers.map((p) => this.viewOf(p, byProvider.get(p.id) ?? null));
  }

  /**
   * Applies staff's change: what the input omits is kept (a key is rotated by naming only it). The
   * credentials are validated whenever they are named, first configured or left enabled; nothing is
   * written when anything fails, nor when nothing changes.
   */
  async configure(input: ConfigureRgsProviderInput, staffId: string): Promise<RgsConfigChange> {
    const providerId = parseId(input.providerId, "providerId");
    const { provider, changed } = await this.prisma.$transaction((tx) => this.configureInTx(tx, providerId, input, staffId));
    if (changed.length > 0) {
      this.changed(provider.code);
      this.publishOutbox();
    }
    return { config: (await this.view(providerId))!, changed };
  }

  private async configureInTx(tx: Tx, providerId: string, input: ConfigureRgsProviderInput, staffId: string): Promise<{ provider: Provider; changed: string[] }> {
    // Changes of one provider queue here, so that each merges into the one before it.
    await tx.$queryRaw`SELECT id FROM provider WHERE id = ${providerId}::uuid FOR UPDATE`;
    const provider = await tx.provider.findUnique({ where: { id: providerId } });
    if (!provider) invalidFields([{ path: "providerId", message: "does not name a provider" }]);
    const adapter = this.adapterOf(provider);
    const draft = parseConfigureRgsProviderInput(input, adapter);
    const existing = await tx.rgsProviderConfig.findUnique({ where: { providerId } });

    const stored = storedCredentials(existing?.credentials);
    const credentials: Record<string, unknown> = {};
    for (const { name } of adapter.credentialFields) {
      const value = draft.credentials?.get(name) ?? stored[name];
      if (value !== undefined) credentials[name] = value;
    }
    const enabled = draft.enabled ?? existing?.enabled ?? true;
    if (draft.credentials || !existing || enabled) this.assertValidCredentials(adapter, credentials);
    const allowedCurrencies = draft.allowedCurrencies ?? existing?.allowedCurrencies ?? [];
    if ((!existing || enabled) && allowedCurrencies.length === 0) invalidFields([{ path: "allowedCurrencies", message: "needs at least one currency" }]);
    const allowedGameCodes = draft.allowedGameCodes ?? existing?.allowedGameCodes ?? [];
    if (draft.allowedGameCodes && draft.allowedGameCodes.length > 0) {
      const found = new Set((await tx.game.findMany({ where: { providerId, code: { in: draft.allowedGameCodes } }, select: { code: true } })).map((g) => g.code));
      const unknown = draft.allowedGameCodes.filter((code) => !found.has(code));
      if (unknown.length > 0) invalidFields([{ path: "allowedGameCodes", message: `not games of ${provider.code}: ${unknown.join(", ")}` }]);
    }
    const launchUrlTemplate = draft.launchUrlTemplate === undefined ? provider.launchUrlTemplate : draft.launchUrlTemplate;

    const changed = changedFields(
      { enabled: existing?.enabled ?? null, allowedCurrencies: existing?.allowedCurrencies ?? null, allowedGameCodes: existing?.allowedGameCodes ?? null, launchUrlTemplate: provider.launchUrlTemplate },
      { enabled, allowedCurrencies, allowedGameCodes, launchUrlTemplate },
      stored,
      credentials,
    );
    if (changed.length === 0) return { provider, changed };

    // Raw SQL with bound parameters: an error can then never print the credentials it was given.
    await tx.$executeRaw`
      INSERT INTO rgs_provider_config (provider_id, credentials, allowed_currencies, allowed_game_codes, enabled, updated_by, updated_at)
      VALUES (${providerId}::uuid, ${JSON.stringify(credentials)}::jsonb,
              ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(allowedCurrencies)}::jsonb)),
              ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(allowedGameCodes)}::jsonb)),
              ${enabled}, ${staffId}::uuid, now())
      ON CONFLICT (provider_id) DO UPDATE
        SET credentials = EXCLUDED.credentials, allowed_currencies = EXCLUDED.allowed_currencies, allowed_game_codes = EXCLUDED.allowed_game_codes,
            enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`;
    if (changed.includes("launchUrlTemplate")) await tx.provider.update({ where: { id: providerId }, data: { launchUrlTemplate } });
    await tx.outboxEvent.create({
      data: outboxRow({
        type: RGS_PROVIDER_CONFIGURED,
        aggregateId: providerId,
        payload: { providerId, providerCode: provider.code, protocol: adapter.protocol, changedBy: staffId, fields: changed },
      }),
    });
    return { provider, changed };
  }

  private adapterOf(provider: Provider): AnyRgsAdapter {
    const adapter = provider.protocol ? this.adapters.get(provider.protocol) : undefined;
    if (adapter) return adapter;
    return invalidFields([
      {
        path: "providerId",
        message: provider.protocol
          ? `${provider.code} speaks ${provider.protocol}, which the games service does not (${[...this.adapters.keys()].join(", ")})`
          : `${provider.code} is a proprietary provider: it has no RGS integration`,
      },
    ]);
  }

  /**
   * The adapter's credentialsSchema decides; the error names each failing field with a message of
   * ours (a variable that is not set, a field that is missing), never the adapter's, which sees values.
   */
  private assertValidCredentials(adapter: AnyRgsAdapter, credentials: Record<string, unknown>): void {
    const invalid = invalidCredentialFields(adapter, credentials, this.env);
    if (invalid.size === 0) return;
    invalidFields(
      adapter.credentialFields
        .filter((f) => invalid.has(f.name))
        .map((f) => {
          const value = credentials[f.name];
          const path = `credentials.${f.name}`;
          if (value === undefined) return { path, message: "is required" };
          if (isEnvReference(value) && !this.env[value.env]) return { path, message: `environment variable ${value.env} is not set in the games service` };
          return { path, message: `is not valid for the ${adapter.protocol} protocol${f.secret ? "" : " (see its documentation for the format)"}` };
        }),
    );
  }

  private viewOf(provider: Provider, config: RgsProviderConfig | null): RgsProviderConfigView {
    const adapter = provider.protocol ? this.adapters.get(provider.protocol) : undefined;
    const stored = storedCredentials(config?.credentials);
    const invalid = adapter ? invalidCredentialFields(adapter, stored, this.env) : new Set<string>();
    const credentials = (adapter?.credentialFields ?? []).map((field): RgsCredentialFieldView => {
      const value = stored[field.name];
      const valid = !invalid.has(field.name);
      return {
        name: field.name,
        secret: field.secret,
        source: value === undefined ? "UNSET" : isEnvReference(value) ? "ENV" : "STORED",
        env: isEnvReference(value) ? value.env : null,
        publicValue: !field.secret && valid && typeof value === "string" && !value.includes("PRIVATE KEY") ? value.replaceAll("\\n", "\n") : null,
        valid,
      };
    });
    return {
      provider,
      protocol: provider.protocol!,
      configured: config !== null,
      enabled: config?.enabled ?? false,
      allowedCurrencies: config?.allowedCurrencies ?? [],
      allowedGameCodes: config?.allowedGameCodes ?? [],
      launchUrlTemplate: provider.launchUrlTemplate,
      credentials,
      credentialsValid: adapter !== undefined && config !== null && invalid.size === 0,
      updatedAt: config?.updatedAt.toISOString() ?? null,
      updatedBy: config?.updatedBy ?? null,
    };
  }
}

/** The names of the fields whose values differ, credentials by field (`credentials.<name>`). */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, storedCredentials: Record<string, unknown>, credentials: Record<string, unknown>): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const fields = Object.keys(after).filter((key) => !same(before[key], after[key]));
  const names = [...new Set([...Object.keys(storedCredentials), ...Object.keys(credentials)])];
  return [...fields, ...names.filter((name) => !same(storedCredentials[name], credentials[name])).map((name) => `credentials.${name}`)];
}
