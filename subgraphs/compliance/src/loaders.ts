import DataLoader from "dataloader";
import type { CaseNote, PlayerRestrictions, PrismaClient, RuleSet } from "./generated/prisma/client.ts";
import { assessedView, type RestrictionsView } from "./views.ts";

export interface ComplianceLoaders {
  restrictionsByPlayer: DataLoader<string, PlayerRestrictions | null>;
  ruleSetsByJurisdiction: DataLoader<string, RuleSet[]>;
  ruleSetById: DataLoader<string, RuleSet | null>;
  notesByCase: DataLoader<string, CaseNote[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuid columns: anything else cannot exist, and PostgreSQL would refuse to compare it. */
export const isUuid = (id: string) => UUID.test(id);

/** One set per request, so every __resolveReference and list child batch becomes a single query. */
export function createLoaders(prisma: PrismaClient): ComplianceLoaders {
  return {
    restrictionsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.playerRestrictions.findMany({ where: { playerId: { in: ids.filter(isUuid) } } });
      const byId = new Map(rows.map((r) => [r.playerId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    ruleSetsByJurisdiction: new DataLoader(async (jurisdictions) => {
      const rows = await prisma.ruleSet.findMany({
        where: { jurisdiction: { in: [...jurisdictions] } },
        orderBy: [{ jurisdiction: "asc" }, { version: "desc" }],
      });
      return jurisdictions.map((j) => rows.filter((r) => r.jurisdiction === j));
    }),
    ruleSetById: new DataLoader(async (ids) => {
      const rows = await prisma.ruleSet.findMany({ where: { id: { in: ids.filter(isUuid) } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    notesByCase: new DataLoader(async (caseIds) => {
      const rows = await prisma.caseNote.findMany({ where: { caseId: { in: [...caseIds] } }, orderBy: { seq: "asc" } });
      return caseIds.map((id) => rows.filter((n) => n.caseId === id));
    }),
  };
}

/** A player's stored restrictions decided at `now`, or null when compliance has no row for them. */
export async function loadAssessedView(loaders: ComplianceLoaders, playerId: string, now: Date): Promise<RestrictionsView | null> {
  const row = await loaders.restrictionsByPlayer.load(playerId);
  if (!row) return null;
  return assessedView(row, await loaders.ruleSetsByJurisdiction.load(row.jurisdiction), now);
}
