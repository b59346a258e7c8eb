import { appError, badInput, notFound } from "@casino/kernel/errors";
import type { DomainEvent } from "@casino/kernel/events/types";
import { parseId } from "@casino/kernel/ids";
import type { Logger } from "@casino/kernel/logger";
import { z } from "zod";
import { AccountStatusError, cannotLogIn, nextAccountState, restrictionFromReasons, type AccountCommand } from "./account-status.ts";
import { playerStatusChanged } from "./events.ts";
import type { Player, PlayerStatus, Prisma, PrismaClient } from "./generated/prisma/client.ts";
import type { SessionRevocations } from "./session-revocations.ts";
import { requiredText } from "./validation.ts";

type Tx = Prisma.TransactionClient;

/** The members of compliance.restrictions_changed this service reads. */
export const restrictionsChangedSchema = z.object({
  playerId: z.uuid(),
  reasons: z.array(z.string()),
  decidedAt: z.iso.datetime({ offset: true }).optional(),
});

export class AccountService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly revocations: SessionRevocations,
    private readonly log: Logger,
    private readonly publishOutbox: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Support or compliance staff block (BLOCKED) or unblock (ACTIVE) a player. */
  async setStatus(staffId: string, rawPlayerId: string, status: PlayerStatus, rawReason: string): Promise<Player> {
    const playerId = parseId(rawPlayerId, "playerId");
    let command: AccountCommand;
    if (status === "BLOCKED") command = { type: "STAFF_BLOCK" };
    else if (status === "ACTIVE") command = { type: "STAFF_UNBLOCK" };
    else throw badInput("Staff set ACTIVE or BLOCKED; TIMED_OUT and SELF_EXCLUDED follow compliance, CLOSED the player", "status");
    const reason = requiredText(rawReason, "reason", 500);
    const player = await this.change(playerId, command, reason);
    this.log.info({ playerId, staffId, status: player.status }, "player status set by staff");
    return player;
  }

  /** The player closes their own account. */
  async close(playerId: string, rawReason: string | null | undefined): Promise<Player> {
    const reason = rawReason == null || rawReason.trim() === "" ? "closed by the player" : requiredText(rawReason, "reason", 500);
    return this.change(playerId, { type: "PLAYER_CLOSE" }, reason);
  }

  /**
   * Mirrors compliance's time-outs and self-exclusions, inside the consumer's de-duplication
   * transaction. A decision older than the one already mirrored is ignored (events may overtake).
   */
  async mirrorRestrictions(tx: Tx, event: DomainEvent): Promise<void> {
    const parsed = restrictionsChangedSchema.safeParse(event.payload);
    if (!parsed.success) {
      this.log.error({ eventId: event.id, issues: parsed.error.issues }, "compliance.restrictions_changed without a usable payload; ignored");
      return;
    }
    const { playerId, reasons } = parsed.data;
    const decidedAt = new Date(parsed.data.decidedAt ?? event.occurredAt);
    const player = await tx.player.findUnique({ where: { id: playerId } });
    if (!player) {
      this.log.warn({ eventId: event.id, playerId }, "restrictions for an unknown player; ignored");
      return;
    }
    if (player.restrictionDecidedAt && player.restrictionDecidedAt > decidedAt) return;
    const restriction = restrictionFromReasons(reasons);
    await this.apply(tx, player, { type: "MIRROR_RESTRICTION", restriction }, `compliance: ${reasons.join(", ") || "no restriction"}`, {
      restrictionDecidedAt: decidedAt,
    });
  }

  private async change(playerId: string, command: AccountCommand, reason: string): Promise<Player> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const player = await tx.player.findUnique({ where: { id: playerId } });
      if (!player) throw notFound("Player");
      return this.apply(tx, player, command, reason, {});
    });
    this.publishOutbox();
    return updated;
  }

  /** Writes the next state (guarded against a concurrent change), the event when the status moved, and ends sessions of a disabled account. */
  private async apply(tx: Tx, player: Player, command: AccountCommand, reason: string, extra: Prisma.PlayerUpdateManyMutationInput): Promise<Player> {
    let next;
    try {
      next = nextAccountState(player, command);
    } catch (err) {
      if (err instanceof AccountStatusError) throw appError("CONFLICT", err.message, { status: err.from });
      throw err;
    }
    const changedAt = this.now();
    const statusMoved = next.status !== player.status;
    const claimed = await tx.player.updateMany({
      where: { id: player.id, status: player.status, restriction: player.restriction },
      data: { ...extra, restriction: next.restriction, ...(statusMoved ? { status: next.status, statusReason: reason, statusChangedAt: changedAt } : {}) },
    });
    if (claimed.count !== 1) throw appError("CONFLICT", "The account status changed meanwhile; try again");
    if (statusMoved) {
      await tx.outboxEvent.create({ data: playerStatusChanged(player.id, next.status, reason, changedAt) });
      // Published to the gateways before this commits: open access tokens stop working with the sessions.
      if (cannotLogIn(next.status)) {
        await this.revocations.revokeWhere(tx, { subjectType: "PLAYER", subjectId: player.id }, `account ${next.status.toLowerCase()}`, changedAt);
      }
    }
    return tx.player.findUniqueOrThrow({ where: { id: player.id } });
  }
}
