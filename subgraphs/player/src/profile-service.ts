import { appError, badInput, notFound } from "@casino/kernel/errors";
import { parseId } from "@casino/kernel/ids";
import type { Logger } from "@casino/kernel/logger";
import { parseCountry } from "@casino/kernel/geo";
import { playerProfileUpdated } from "./events.ts";
import type { Player, PrismaClient } from "./generated/prisma/client.ts";
import { assertCanAct } from "./kyc/kyc-service.ts";
import { assertAddressComplete, parseName, parsePostcode, parseProfileChanges, type ProfileFields, type ProfileInput } from "./profile.ts";
import { parseRecordedDateOfBirth } from "./validation.ts";

export interface IdentityCorrection {
  firstName?: string | null;
  lastName?: string | null;
  dateOfBirth?: string | null;
  country?: string | null;
}

/** While a verification is open or done, the name is what was (or is being) verified. */
const NAME_LOCKED: ReadonlySet<string> = new Set(["PENDING", "REFERRED", "VERIFIED"]);

const profileOf = (p: Player): ProfileFields => ({
  firstName: p.firstName,
  lastName: p.lastName,
  addressLine1: p.addressLine1,
  addressLine2: p.addressLine2,
  city: p.city,
  postcode: p.postcode,
});

export class ProfileService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
    private readonly publishOutbox: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The player's own change of name or address; validated whole before anything is written. */
  async updateProfile(playerId: string, input: ProfileInput): Promise<Player> {
    const player = await this.prisma.player.findUnique({ where: { id: playerId } });
    if (!player) throw notFound("Player");
    assertCanAct(player);
    const changes = parseProfileChanges(input, player.country);
    const nameChanges = (["firstName", "lastName"] as const).filter((f) => changes[f] !== undefined && changes[f] !== player[f]);
    if (nameChanges.length > 0 && NAME_LOCKED.has(player.kycStatus)) {
      throw appError("CONFLICT", `Your name cannot change while your identity is ${player.kycStatus}; contact support`, { field: nameChanges[0] });
    }
    const next = { ...profileOf(player), ...changes };
    assertAddressComplete(next);
    return this.write(player, next, {});
  }

  /** KYC staff correct what drives age and identity checks (no minimum age: staff record the truth). */
  async correctIdentity(rawPlayerId: string, input: IdentityCorrection): Promise<Player> {
    const playerId = parseId(rawPlayerId, "playerId");
    const player = await this.prisma.player.findUnique({ where: { id: playerId } });
    if (!player) throw notFound("Player");
    const changes: Partial<ProfileFields> = {};
    if (input.firstName != null) changes.firstName = parseName(input.firstName, "firstName");
    if (input.lastName != null) changes.lastName = parseName(input.lastName, "lastName");
    const identity: { dateOfBirth?: Date; country?: string } = {};
    if (input.dateOfBirth != null) identity.dateOfBirth = parseRecordedDateOfBirth(input.dateOfBirth, this.now());
    if (input.country != null) identity.country = parseCountry(input.country);
    if (Object.keys(changes).length === 0 && Object.keys(identity).length === 0) throw badInput("Give at least one field to correct", "input");
    // The postcode was validated for the old country; it must still hold for the new one.
    if (identity.country && player.postcode) {
      try {
        parsePostcode(player.postcode, identity.country);
      } catch {
        throw badInput(`The player's postcode ${player.postcode} is not valid in ${identity.country}; the player must update the address first`, "country");
      }
    }
    return this.write(player, { ...profileOf(player), ...changes }, identity);
  }

  private async write(player: Player, profile: ProfileFields, identity: { dateOfBirth?: Date; country?: string }): Promise<Player> {
    const unchanged =
      (Object.keys(profile) as Array<keyof ProfileFields>).every((k) => profile[k] === player[k]) &&
      (identity.dateOfBirth === undefined || identity.dateOfBirth.getTime() === player.dateOfBirth.getTime()) &&
      (identity.country === undefined || identity.country === player.country);
    if (unchanged) return player;
    const updated = await this.prisma.$transaction(async (tx) => {
      const row = await tx.player.update({ where: { id: player.id }, data: { ...profile, ...identity } });
      await tx.outboxEvent.create({ data: playerProfileUpdated(row) });
      return row;
    });
    this.publishOutbox();
    this.log.info({ playerId: player.id }, "player profile updated");
    return updated;
  }
}
