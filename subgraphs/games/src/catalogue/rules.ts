import { badInput } from "@casino/kernel/errors";
import { parseCountry } from "@casino/kernel/geo";
import { assertCurrency, parseMoney } from "@casino/kernel/money";
import type { GameInput, GameType, MoneyInput, ProviderInput, ProviderIntegration, Volatility } from "../generated/graphql.ts";
import { parseId } from "@casino/kernel/ids";

/** Pure catalogue rules: input checks and formatting, no database. */

/** Provider and game codes, categories and protocol names: lower-case slugs, 2-64 characters. */
const SLUG = /^[a-z0-9][a-z0-9_-]{1,63}$/;
const MAX_NAME_LENGTH = 100;
const MAX_CATEGORIES = 20;
export const MAX_RTP_BASIS_POINTS = 10_000;
const MAX_SEARCH_LENGTH = 100;

export interface ProviderDraft {
  code: string;
  name: string;
  integration: ProviderIntegration;
  protocol: string | null;
  /** Undefined: a new provider is enabled, an existing one keeps its state. */
  enabled: boolean | undefined;
}

export interface GameDraft {
  providerId: string;
  code: string;
  name: string;
  type: GameType;
  rtpBasisPoints: number;
  volatility: Volatility;
  minStakeMinor: bigint;
  maxStakeMinor: bigint;
  stakeCurrency: string;
  jurisdictions: string[];
  categories: string[];
  /** Undefined: a new game is enabled, an existing one keeps its state. */
  enabled: boolean | undefined;
}

export function parseCode(raw: string, field = "code"): string {
  const code = raw.trim();
  if (!SLUG.test(code)) {
    throw badInput(`${field} must be 2-64 lower-case letters, digits, '_' or '-', starting with a letter or digit`, field);
  }
  return code;
}

export function parseName(raw: string, field = "name"): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw badInput(`${field} must be 1-${MAX_NAME_LENGTH} characters`, field);
  return name;
}

/** Remote providers speak an RGS protocol that the integration layer must know; our own games speak none. */
export function parseProtocol(raw: string | null | undefined, integration: ProviderIntegration): string | null {
  const protocol = raw?.trim() || null;
  if (integration === "PROPRIETARY") {
    if (protocol !== null) throw badInput("A proprietary provider has no RGS protocol", "protocol");
    return null;
  }
  if (protocol === null) throw badInput(`A ${integration.toLowerCase()} provider needs its RGS protocol, e.g. hub88`, "protocol");
  return parseCode(protocol, "protocol");
}

export function parseRtpBasisPoints(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_RTP_BASIS_POINTS) {
    throw badInput(`rtpBasisPoints must be a whole number from 0 to ${MAX_RTP_BASIS_POINTS} (9650 = 96.50 %)`, "rtpBasisPoints");
  }
  return value;
}

/** Formats basis points as an exact percentage with two decimals: 9650 -> "96.50", 5 -> "0.05". */
export function formatRtp(basisPoints: number): string {
  const digits = String(basisPoints).padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Both stakes in one supported currency, the minimum above zero and not above the maximum. */
export function parseStakeLimits(min: MoneyInput, max: MoneyInput): { minStakeMinor: bigint; maxStakeMinor: bigint; stakeCurrency: string } {
  const minCurrency = assertCurrency(min.currency.trim().toUpperCase(), "minStake.currency");
  const maxCurrency = assertCurrency(max.currency.trim().toUpperCase(), "maxStake.currency");
  if (minCurrency !== maxCurrency) throw badInput("minStake and maxStake must be in the same currency", "maxStake.currency");
  const minStake = parseMoney(min.amount, minCurrency, "minStake.amount");
  const maxStake = parseMoney(max.amount, maxCurrency, "maxStake.amount");
  if (minStake.minor <= 0n) throw badInput("minStake must be greater than zero", "minStake.amount");
  if (maxStake.minor < minStake.minor) throw badInput("maxStake must not be less than minStake", "maxStake.amount");
  return { minStakeMinor: minStake.minor, maxStakeMinor: maxStake.minor, stakeCurrency: minCurrency };
}

/** Where the game is licensed: at least one ISO 3166-1 alpha-2 code, upper-cased, sorted, without repeats. */
export function parseJurisdictions(raw: readonly string[]): string[] {
  const codes = [...new Set(raw.map((code) => parseCountry(code, "jurisdictions")))].sort();
  if (codes.length === 0) throw badInput("A game needs at least one jurisdiction where it is licensed", "jurisdictions");
  return codes;
}

export function parseCategory(raw: string, field = "categories"): string {
  return parseCode(raw.trim().toLowerCase(), field);
}

export function parseCategories(raw: readonly string[] | null | undefined): string[] {
  const categories = [...new Set((raw ?? []).map((c) => parseCategory(c)))].sort();
  if (categories.length > MAX_CATEGORIES) throw badInput(`A game has at most ${MAX_CATEGORIES} categories`, "categories");
  return categories;
}

/** A name search: trimmed; blank means no search. */
export function parseSearch(raw: string | null | undefined): string | undefined {
  const search = raw?.trim();
  if (!search) return undefined;
  if (search.length > MAX_SEARCH_LENGTH) throw badInput(`search must be at most ${MAX_SEARCH_LENGTH} characters`, "filter.search");
  return search;
}

export function parseProviderInput(input: ProviderInput): ProviderDraft {
  return {
    code: parseCode(input.code),
    name: parseName(input.name),
    integration: input.integration,
    protocol: parseProtocol(input.protocol, input.integration),
    enabled: input.enabled ?? undefined,
  };
}

export function parseGameInput(input: GameInput): GameDraft {
  return {
    providerId: parseId(input.providerId, "providerId"),
    code: parseCode(input.code),
    name: parseName(input.name),
    type: input.type,
    rtpBasisPoints: parseRtpBasisPoints(input.rtpBasisPoints),
    volatility: input.volatility,
    ...parseStakeLimits(input.minStake, input.maxStake),
    jurisdictions: parseJurisdictions(input.jurisdictions),
    categories: parseCategories(input.categories),
    enabled: input.enabled ?? undefined,
  };
}
