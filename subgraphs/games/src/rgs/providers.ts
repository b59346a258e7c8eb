/**
 * Per-provider RGS configuration, read from the games database (rgs_provider_config beside the
 * catalogue's provider row), validated by the provider's protocol adapter and cached briefly. A
 * configuration that fails validation makes the provider unusable (the protocol's partner error),
 * and the log names the failing fields, never their values. Staff changes through the games API
 * call forget(), so this process never serves the old configuration after the change; other
 * processes read it again when their entry expires (the cache's ttl, RGS_CACHE_MS).
 */
import type { Logger } from "@casino/kernel/logger";
import type { AnyRgsAdapter, ConfiguredProvider } from "./adapter.ts";
import type { RgsStore } from "./store.ts";

export interface ProviderLookup {
  adapter: AnyRgsAdapter;
  /** Null: unknown, disabled or unconfigured provider (the adapter answers with its partner error). */
  provider: ConfiguredProvider<unknown> | null;
}

export class RgsProviders {
  private readonly adapters: Map<string, AnyRgsAdapter>;
  private readonly cache = new Map<string, { at: number; lookup: ProviderLookup | null }>();
  private readonly loading = new Map<string, Promise<ProviderLookup | null>>();
  /** Bumped by forget(): a load that began before it may have read the old row and is not cached. */
  private generation = 0;

  constructor(
    private readonly store: RgsStore,
    adapters: readonly AnyRgsAdapter[],
    private readonly env: Record<string, string | undefined>,
    private readonly log: Logger,
    private readonly ttlMs = 5_000,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.protocol, a]));
  }

  /**
   * The provider named by the URL, with the adapter of its protocol. A code that is no provider but
   * names a protocol still gets that protocol's error; anything else is null (404).
   */
  async lookup(code: string): Promise<ProviderLookup | null> {
    const hit = this.cache.get(code);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.lookup;
    // When the entry expires under load, the callbacks meanwhile share one reload (one query, one
    // parse of the keys) instead of each starting its own. Without a cache every lookup is fresh.
    let loading = this.ttlMs > 0 ? this.loading.get(code) : undefined;
    if (!loading) {
      const generation = this.generation;
      loading = this.load(code).then((lookup) => {
        if (generation === this.generation) this.cache.set(code, { at: Date.now(), lookup });
        return lookup;
      });
      if (this.ttlMs > 0) {
        const shared = loading;
        this.loading.set(code, shared);
        const clear = () => {
          if (this.loading.get(code) === shared) this.loading.delete(code);
        };
        shared.then(clear, clear);
      }
    }
    return loading;
  }

  /**
   * Drops what this process knows of a provider after its configuration changed (called after the
   * commit): the next lookup reads the database, and no load already running is cached.
   */
  forget(code: string): void {
    this.generation++;
    this.cache.delete(code);
    this.loading.delete(code);
  }

  private async load(code: string): Promise<ProviderLookup | null> {
    const row = /^[a-z0-9][a-z0-9_-]{1,63}$/.test(code) ? await this.store.provider(code) : null;
    const adapter = this.adapters.get(row?.protocol ?? code);
    if (!adapter) return null;
    if (!row || row.protocol !== adapter.protocol || !row.enabled || row.rgsEnabled !== true) return { adapter, provider: null };
    const parsed = adapter.credentialsSchema(this.env).safeParse(row.credentials);
    if (!parsed.success) {
      this.log.error(
        { provider: code, protocol: adapter.protocol, fields: parsed.error.issues.map((i) => i.path.join(".") || "credentials") },
        "invalid RGS credentials; the provider is refused until they are fixed",
      );
      return { adapter, provider: null };
    }
    return {
      adapter,
      provider: {
        id: row.id,
        code: row.code,
        protocol: adapter.protocol,
        allowedCurrencies: row.allowedCurrencies ?? [],
        allowedGameCodes: row.allowedGameCodes ?? [],
        credentials: parsed.data,
      },
    };
  }
}
