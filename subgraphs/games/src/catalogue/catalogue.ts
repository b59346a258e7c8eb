import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@casino/kernel/db/errors";
import { badInput, notFound } from "@casino/kernel/errors";
import { outboxRow } from "@casino/kernel/events/outbox";
import type { GameInput, ProviderInput } from "../generated/graphql.ts";
import type { Game, Prisma, PrismaClient, Provider } from "../generated/prisma/client.ts";
import { parseId } from "@casino/kernel/ids";
import { LobbyCache, LocalLobbyStore } from "./lobby-cache.ts";
import { parseGameInput, parseProviderInput, type GameDraft, type ProviderDraft } from "./rules.ts";

type Tx = Prisma.TransactionClient;

/** What happened to a catalogue entry; consumers (the lobby cache) only need to know that it changed. */
export type CatalogueChange = "created" | "updated" | "enabled" | "disabled";

export const CATALOGUE_CHANGED = "games.catalogue_changed";

/**
 * The catalogue's write path. Every change is one transaction that also writes a
 * `games.catalogue_changed` event to the outbox, then invalidates the lobby cache; an upsert that
 * changes nothing writes nothing. The lobby's public reads go through `lobbyCache`.
 */
export class Catalogue {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publishOutbox: () => void,
    /** createLobbyCache(runtime) in a service; the in-process default suits one process only. */
    readonly lobbyCache: LobbyCache = new LobbyCache(new LocalLobbyStore()),
  ) {}

  async upsertProvider(input: ProviderInput): Promise<Provider> {
    const draft = parseProviderInput(input);
    return this.commit((tx) => this.upsertProviderInTx(tx, draft));
  }

  async upsertGame(input: GameInput): Promise<Game> {
    const draft = parseGameInput(input);
    return this.commit((tx) => this.upsertGameInTx(tx, draft));
  }

  async setGameEnabled(rawId: string, enabled: boolean): Promise<Game> {
    const id = parseId(rawId, "id");
    return this.commit(async (tx) => {
      const game = await tx.game.findUnique({ where: { id } });
      if (!game) throw notFound("Game");
      if (game.enabled === enabled) return { result: game, changed: false };
      const updated = await tx.game.update({ where: { id }, data: { enabled } });
      await recordGameChange(tx, updated, enabled ? "enabled" : "disabled");
      return { result: updated, changed: true };
    });
  }

  /**
   * Runs one write transaction and wakes the outbox relay when it wrote an event. Two first upserts
   * of one code can both miss the existing row and race to insert it; the loser runs again and
   * finds the winner's row, so an upsert never fails on its own unique key. The cache is invalidated
   * after the commit, never before: a reader between the two would cache the old rows under the new
   * generation.
   */
  private async commit<T>(work: (tx: Tx) => Promise<{ result: T; changed: boolean }>): Promise<T> {
    let outcome: { result: T; changed: boolean };
    try {
      outcome = await this.prisma.$transaction(work);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      outcome = await this.prisma.$transaction(work);
    }
    if (outcome.changed) {
      this.publishOutbox();
      await this.lobbyCache.invalidate();
    }
    return outcome.result;
  }

  private async upsertProviderInTx(tx: Tx, draft: ProviderDraft): Promise<{ result: Provider; changed: boolean }> {
    const existing = await tx.provider.findUnique({ where: { code: draft.code } });
    if (!existing) {
      const created = await tx.provider.create({ data: { id: randomUUID(), ...draft, enabled: draft.enabled ?? true } });
      await recordProviderChange(tx, created, "created");
      return { result: created, changed: true };
    }
    const next = { ...draft, enabled: draft.enabled ?? existing.enabled };
    if (
      existing.name === next.name &&
      existing.integration === next.integration &&
      existing.protocol === next.protocol &&
      existing.enabled === next.enabled
    ) {
      return { result: existing, changed: false };
    }
    const updated = await tx.provider.update({ where: { id: existing.id }, data: next });
    await recordProviderChange(tx, updated, "updated");
    return { result: updated, changed: true };
  }

  private async upsertGameInTx(tx: Tx, draft: GameDraft): Promise<{ result: Game; changed: boolean }> {
    const provider = await tx.provider.findUnique({ where: { id: draft.providerId } });
    if (!provider) throw badInput("providerId does not name a provider", "providerId");
    const existing = await tx.game.findUnique({ where: { providerId_code: { providerId: draft.providerId, code: draft.code } } });
    if (!existing) {
      const created = await tx.game.create({ data: { id: randomUUID(), ...draft, enabled: draft.enabled ?? true } });
      await recordGameChange(tx, created, "created");
      return { result: created, changed: true };
    }
    const next = { ...draft, enabled: draft.enabled ?? existing.enabled };
    if (sameGame(existing, next)) return { result: existing, changed: false };
    const updated = await tx.game.update({ where: { id: existing.id }, data: next });
    await recordGameChange(tx, updated, "updated");
    return { result: updated, changed: true };
  }
}

function sameGame(existing: Game, next: GameDraft & { enabled: boolean }): boolean {
  return (
    existing.name === next.name &&
    existing.type === next.type &&
    existing.rtpBasisPoints === next.rtpBasisPoints &&
    existing.volatility === next.volatility &&
    existing.minStakeMinor === next.minStakeMinor &&
    existing.maxStakeMinor === next.maxStakeMinor &&
    existing.stakeCurrency === next.stakeCurrency &&
    existing.jurisdictions.join() === next.jurisdictions.join() &&
    existing.categories.join() === next.categories.join() &&
    existing.enabled === next.enabled
  );
}

async function recordProviderChange(tx: Tx, provider: Provider, change: CatalogueChange): Promise<void> {
  await tx.outboxEvent.create({
    data: outboxRow({ type: CATALOGUE_CHANGED, aggregateId: provider.id, payload: { providerId: provider.id, change } }),
  });
}

async function recordGameChange(tx: Tx, game: Game, change: CatalogueChange): Promise<void> {
  await tx.outboxEvent.create({
    data: outboxRow({
      type: CATALOGUE_CHANGED,
      aggregateId: game.id,
      payload: { gameId: game.id, providerId: game.providerId, change },
    }),
  });
}
