import { createHash } from "node:crypto";

/** A five-reel video slot as data: everything that decides an outcome and its pay lives here. */

export type SymbolKind = "regular" | "wild" | "scatter";

export interface SlotSymbol {
  id: string;
  name: string;
  kind: SymbolKind;
}

export interface FreeSpinsRule {
  /** Scatters anywhere in the window needed to award free spins. */
  triggerCount: number;
  /** Free spins awarded per trigger. */
  awarded: number;
  /** Whether a trigger during free spins awards `awarded` more (no cap). */
  retrigger: boolean;
  /** Every win during free spins (lines and scatters) is multiplied by this. */
  winMultiplier: number;
}

export interface SlotDefinition {
  gameId: string;
  /** Bump on any change to the data below; the paytable hash pins the data a version stands for. */
  version: string;
  rows: number;
  symbols: readonly SlotSymbol[];
  /** Reel strips, top to bottom; a stop shows rows stop, stop + 1, ... (cyclically). */
  reels: readonly (readonly string[])[];
  /** Row index per reel; lines pay left to right from the first reel. */
  paylines: readonly (readonly number[])[];
  /** Line pays in line-bet units, by symbol id, indexed by the number of matching symbols from the left. */
  linePays: Readonly<Record<string, readonly number[]>>;
  /** Scatter pays in total-bet units (total bet = line bet * paylines), indexed by scatter count. */
  scatterPays: readonly number[];
  freeSpins: FreeSpinsRule;
}

/** What a round records to say which game data it was played on. */
export interface SlotVersion {
  gameId: string;
  version: string;
  /** SHA-256 of the canonical JSON of everything that decides outcomes and pays. */
  paytableHash: string;
}

export class SlotDefinitionError extends Error {}

/** Checks the data's consistency; a malformed game never reaches play. */
export function validateSlotDefinition(definition: SlotDefinition): void {
  const fail = (message: string): never => {
    throw new SlotDefinitionError(`${definition.gameId} ${definition.version}: ${message}`);
  };
  const ids = new Set(definition.symbols.map((s) => s.id));
  if (ids.size !== definition.symbols.length) fail("duplicate symbol ids");
  if (definition.symbols.filter((s) => s.kind === "wild").length !== 1) fail("exactly one wild symbol is required");
  if (definition.symbols.filter((s) => s.kind === "scatter").length !== 1) fail("exactly one scatter symbol is required");
  const reelCount = definition.reels.length;
  const scatter = definition.symbols.find((s) => s.kind === "scatter")!.id;
  definition.reels.forEach((strip, reel) => {
    if (strip.length < definition.rows) fail(`reel ${reel + 1} is shorter than the window`);
    for (const id of strip) if (!ids.has(id)) fail(`reel ${reel + 1} has unknown symbol ${id}`);
    // At most one scatter per reel in any window, so the scatter count is the number of reels showing one.
    strip.forEach((id, stop) => {
      if (id !== scatter) return;
      for (let offset = 1; offset < definition.rows; offset++) {
        if (strip[(stop + offset) % strip.length] === scatter) fail(`reel ${reel + 1} shows two scatters in one window at stop ${stop}`);
      }
    });
  });
  for (const [index, line] of definition.paylines.entries()) {
    if (line.length !== reelCount || line.some((row) => !Number.isInteger(row) || row < 0 || row >= definition.rows)) fail(`payline ${index + 1} is malformed`);
  }
  if (new Set(definition.paylines.map((line) => line.join())).size !== definition.paylines.length) fail("duplicate paylines");
  for (const symbol of definition.symbols) {
    if (symbol.kind === "scatter") continue;
    const pays = definition.linePays[symbol.id];
    if (!pays || pays.length !== reelCount + 1) fail(`symbol ${symbol.id} needs line pays for 0..${reelCount} of a kind`);
    if (pays!.some((pay, count) => !Number.isInteger(pay) || pay < 0 || (count > 0 && pay < pays![count - 1]!))) fail(`line pays of ${symbol.id} must be non-negative integers, non-decreasing`);
  }
  if (definition.scatterPays.length !== reelCount + 1 || definition.scatterPays.some((pay) => !Number.isInteger(pay) || pay < 0)) {
    fail(`scatter pays need non-negative integers for 0..${reelCount} scatters`);
  }
  const rule = definition.freeSpins;
  if (!Number.isInteger(rule.triggerCount) || rule.triggerCount < 1 || rule.triggerCount > reelCount) fail("free-spin trigger count out of range");
  if (!Number.isInteger(rule.awarded) || rule.awarded < 1) fail("free spins awarded must be a positive integer");
  if (!Number.isInteger(rule.winMultiplier) || rule.winMultiplier < 1) fail("free-spin multiplier must be a positive integer");
}

/** The version record of a game: id, version and the hash of its outcome-deciding data. */
export function slotVersion(definition: SlotDefinition): SlotVersion {
  const { gameId, version, rows, symbols, reels, paylines, linePays, scatterPays, freeSpins } = definition;
  const canonical = canonicalJson({ gameId, rows, symbols, reels, paylines, linePays, scatterPays, freeSpins });
  return { gameId, version, paytableHash: createHash("sha256").update(canonical).digest("hex") };
}

/** JSON with object keys sorted, so the hash depends on the data, not on the order it was written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
