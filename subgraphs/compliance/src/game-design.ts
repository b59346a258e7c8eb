import type { GameDesign } from "@casino/compliance-client/protocol";
import { z } from "@casino/kernel/config";
import { InvalidRuleSetError, type RuleSetVersion } from "./ruleset.ts";
import type { GameKind } from "./responsible-gambling.ts";

/**
 * Game design rules (RTS 14) as the games service must enforce them on the server: the shortest game
 * cycle, and whether autoplay or turbo/quick spin may exist. Slots have their own group
 * (`slotDesign`); every other casino game kind follows `otherCasinoGames`.
 */
const source = z.string().min(1);
const gameDesignSchema = z.object({
  slotDesign: z.object({
    autoplay: z.boolean(),
    minimumGameCycleMs: z.number().int().min(0).max(600_000),
    celebrateReturnAtOrBelowStake: z.boolean().optional(),
    showNetPositionAndSessionTime: z.boolean().optional(),
    source,
  }),
  otherCasinoGames: z.object({
    turboOrQuickSpin: z.boolean(),
    minimumGameCycleMs: z.number().int().min(0).max(600_000),
    source,
  }),
});

export type { GameDesign };
export type GameDesignRules = z.infer<typeof gameDesignSchema>;

export function parseGameDesignRules(ruleSet: RuleSetVersion & { rules: unknown }): GameDesignRules {
  const parsed = gameDesignSchema.safeParse(ruleSet.rules);
  if (!parsed.success) {
    throw new InvalidRuleSetError(ruleSet.jurisdiction, ruleSet.version, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  return parsed.data;
}

export function gameDesignFor(kind: GameKind, rules: GameDesignRules): GameDesign {
  if (kind === "SLOT") {
    const s = rules.slotDesign;
    return {
      minimumGameCycleMs: s.minimumGameCycleMs,
      autoplayAllowed: s.autoplay,
      // RTS 14 speaks of turbo for other casino games; a slot's speed is bounded by its cycle time.
      turboAllowed: false,
      showNetPositionAndSessionTime: s.showNetPositionAndSessionTime ?? true,
      source: s.source,
    };
  }
  const o = rules.otherCasinoGames;
  return {
    minimumGameCycleMs: o.minimumGameCycleMs,
    autoplayAllowed: false,
    turboAllowed: o.turboOrQuickSpin,
    showNetPositionAndSessionTime: true,
    source: o.source,
  };
}
