import { createHash, createHmac, randomUUID } from "node:crypto";
import type { Principal } from "@casino/kernel/auth/principal";
import { isUniqueViolation } from "@casino/kernel/db/errors";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { parseCountry } from "@casino/kernel/geo";
import { isUuid, parseId } from "@casino/kernel/ids";
import type { Logger } from "@casino/kernel/logger";
import { cannotLogIn } from "../account-status.ts";
import { isoDate, playerKycChanged } from "../events.ts";
import type { IdentityDocument, IdentityDocumentType, KycStatus, Player, Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { parseCalendarDate, requiredText } from "../validation.ts";
import { KycTransitionError, nextKycStatus, type KycCommand, type KycDecision, type ProviderResult } from "./lifecycle.ts";
import type { KycProvider, KycVerificationRequest } from "./provider.ts";

type Tx = Prisma.TransactionClient;

export interface RecordDocumentInput {
  playerId?: string | null;
  type: IdentityDocumentType;
  issuingCountry: string;
  expiresOn?: string | null;
  number: string;
}

/** A provider's result as its callback states it (after the signature was checked). */
export interface ProviderCallback {
  providerReference: string;
  clientReference: string;
  result: ProviderResult;
  reasons: string[];
}

export type CallbackOutcome =
  /** The result changed the player's KYC status. */
  | "APPLIED"
  /** Recorded, but the player had moved on (e.g. staff decided first): status unchanged. */
  | "RECORDED_ONLY"
  /** This verification already has its result: nothing written. */
  | "REPLAYED"
  /** No such verification (yet: the request may still be committing); the provider retries. */
  | "UNKNOWN";

/** Document numbers compare without spaces, hyphens or case: "123 456-789" is "123456789". */
export function normaliseDocumentNumber(raw: string): string {
  const number = raw.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z0-9]{4,30}$/.test(number)) throw badInput("A document number has 4 to 30 letters or digits", "number");
  return number;
}

/** The bare SHA-256 (hex) of a normalised number: what rows recorded before DOCUMENT_NUMBER_KEY hold. */
export const documentNumberSha256 = (normalised: string) => createHash("sha256").update(normalised, "utf8").digest("hex");

/**
 * What is stored of a document number: HMAC-SHA256 under the operator's key of its SHA-256. Equal
 * numbers give equal digests (a document is recorded once per player), but a copy of the database
 * alone cannot be searched for numbers. Keyed over the SHA-256 so that legacy rows can be re-keyed.
 */
export const keyDocumentDigest = (key: string, sha256Hex: string) => createHmac("sha256", key).update(sha256Hex, "utf8").digest("hex");
export const documentNumberDigest = (key: string, normalised: string) => keyDocumentDigest(key, documentNumberSha256(normalised));

/**
 * Re-keys documents recorded before DOCUMENT_NUMBER_KEY, whose digest is the bare SHA-256, in
 * batches; the player service runs it at start. Each row is updated only while still unkeyed, so
 * two instances starting together never key a digest twice. Returns how many rows it re-keyed.
 */
export async function rekeyLegacyDocumentDigests(prisma: PrismaClient, key: string, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await prisma.identityDocument.findMany({ where: { digestKeyed: false }, select: { id: true, numberDigest: true }, take: batch });
    if (rows.length === 0) return total;
    for (const row of rows) {
      const { count } = await prisma.identityDocument.updateMany({
        where: { id: row.id, digestKeyed: false },
        data: { numberDigest: keyDocumentDigest(key, row.numberDigest), digestKeyed: true },
      });
      total += count;
    }
  }
}

const asCommandError = (err: unknown): never => {
  if (err instanceof KycTransitionError) throw appError("CONFLICT", err.message, { kycStatus: err.from });
  throw err;
};

function decide(from: KycStatus, command: KycCommand): KycStatus {
  try {
    return nextKycStatus(from, command);
  } catch (err) {
    return asCommandError(err);
  }
}

/** Documents sent with a verification: everything recorded except what a provider already rejected. */
const SENDABLE_DOCUMENTS = { status: { in: ["RECORDED", "SUBMITTED", "ACCEPTED"] } } satisfies Prisma.IdentityDocumentWhereInput;

export class KycService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: KycProvider,
    /** Where the provider POSTs its result; resolved per request (the port is known only after listen). */
    private readonly callbackUrl: () => string,
    private readonly log: Logger,
    private readonly publishOutbox: () => void,
    /** DOCUMENT_NUMBER_KEY: identity-document numbers are stored only as a digest under it. */
    private readonly documentKey: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recordDocument(principal: Principal, input: RecordDocumentInput): Promise<IdentityDocument> {
    const playerId = principal.kind === "player" ? principal.playerId : parseId(input.playerId ?? "", "playerId");
    const issuingCountry = parseCountry(input.issuingCountry, "issuingCountry");
    const expiresOn = input.expiresOn == null || input.expiresOn.trim() === "" ? null : parseCalendarDate(input.expiresOn, "expiresOn");
    if (expiresOn === null && input.type !== "PROOF_OF_ADDRESS") throw badInput("An identity document needs its expiry date", "expiresOn");
    const number = normaliseDocumentNumber(input.number);
    const player = await this.prisma.player.findUnique({ where: { id: playerId } });
    if (!player) throw notFound("Player");
    if (principal.kind === "player") assertCanAct(player);
    try {
      return await this.prisma.identityDocument.create({
        data: {
          id: randomUUID(),
          playerId,
          type: input.type,
          issuingCountry,
          expiresOn,
          numberDigest: documentNumberDigest(this.documentKey, number),
          numberLast4: number.slice(-4),
          recordedByStaffId: principal.kind === "staff" ? principal.staffId : null,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw appError("CONFLICT", "This document is already recorded", { field: "number" });
      throw err;
    }
  }

  /**
   * Sends the player's profile and documents to the provider, then records the verification and
   * PENDING in one transaction. The provider is called first, with our id of the verification: a
   * callback that overtakes the commit finds no verification, is answered 404 and retried.
   */
  async requestVerification(playerId: string): Promise<Player> {
    const player = await this.prisma.player.findUnique({ where: { id: playerId }, include: { documents: { where: SENDABLE_DOCUMENTS } } });
    if (!player) throw notFound("Player");
    assertCanAct(player);
    const to = decide(player.kycStatus, { type: "REQUEST_VERIFICATION" });
    const request = this.verificationRequest(player, player.documents);

    const { providerReference } = await this.provider.requestVerification(request);
    const changedAt = this.now();
    const updated = await this.prisma.$transaction(async (tx) => {
      const claimed = await tx.player.updateMany({ where: { id: playerId, kycStatus: player.kycStatus }, data: { kycStatus: to, kycChangedAt: changedAt } });
      if (claimed.count !== 1) throw appError("CONFLICT", "The KYC status changed meanwhile; try again");
      await tx.kycVerification.create({ data: { id: request.clientReference, playerId, provider: this.provider.name, providerReference, requestedAt: changedAt } });
      await tx.identityDocument.updateMany({ where: { playerId, status: "RECORDED" }, data: { status: "SUBMITTED" } });
      await this.recordChange(tx, playerId, player.kycStatus, to, "player", null, changedAt);
      return tx.player.findUniqueOrThrow({ where: { id: playerId } });
    });
    this.publishOutbox();
    this.log.info({ playerId, providerReference }, "KYC verification requested");
    return updated;
  }

  /** Applies a provider's (already authenticated) result, once per verification. */
  async applyProviderResult(provider: string, callback: ProviderCallback): Promise<CallbackOutcome> {
    if (!isUuid(callback.clientReference)) return "UNKNOWN";
    const outcome = await this.prisma.$transaction(async (tx): Promise<CallbackOutcome> => {
      // Both references must match: a result for one verification can never land on another.
      const verification = await tx.kycVerification.findFirst({
        where: { id: callback.clientReference, provider, providerReference: callback.providerReference },
      });
      if (!verification) return "UNKNOWN";
      const completedAt = this.now();
      const claimed = await tx.kycVerification.updateMany({
        where: { id: verification.id, completedAt: null },
        data: { result: callback.result, resultReasons: callback.reasons, completedAt },
      });
      if (claimed.count === 0) return "REPLAYED";
      const player = await tx.player.findUniqueOrThrow({ where: { id: verification.playerId } });
      let to: KycStatus;
      try {
        to = nextKycStatus(player.kycStatus, { type: "RECORD_PROVIDER_RESULT", result: callback.result });
      } catch (err) {
        if (!(err instanceof KycTransitionError)) throw err;
        this.log.warn({ playerId: player.id, kycStatus: player.kycStatus, result: callback.result }, "provider result arrived after the KYC status moved on; recorded only");
        return "RECORDED_ONLY";
      }
      await this.moveTo(tx, player, to, `provider:${provider}`, callback.reasons.length ? callback.reasons.join(", ") : null, completedAt);
      return "APPLIED";
    });
    if (outcome === "APPLIED") this.publishOutbox();
    return outcome;
  }

  /** KYC staff decide a PENDING or REFERRED verification; the note goes into the audit trail. */
  async adjudicate(staffId: string, rawPlayerId: string, decision: KycDecision, rawNote: string): Promise<Player> {
    const playerId = parseId(rawPlayerId, "playerId");
    const note = requiredText(rawNote, "note");
    const changedAt = this.now();
    const updated = await this.prisma.$transaction(async (tx) => {
      const player = await tx.player.findUnique({ where: { id: playerId } });
      if (!player) throw notFound("Player");
      const to = decide(player.kycStatus, { type: "ADJUDICATE", decision, note });
      await this.moveTo(tx, player, to, `staff:${staffId}`, note, changedAt);
      return tx.player.findUniqueOrThrow({ where: { id: playerId } });
    });
    this.publishOutbox();
    this.log.info({ playerId, staffId, decision }, "KYC adjudicated");
    return updated;
  }

  /** Moves a player's KYC status (guarded against a concurrent change) with its documents, audit and event. */
  private async moveTo(tx: Tx, player: Player, to: KycStatus, actor: string, note: string | null, changedAt: Date): Promise<void> {
    const claimed = await tx.player.updateMany({ where: { id: player.id, kycStatus: player.kycStatus }, data: { kycStatus: to, kycChangedAt: changedAt } });
    if (claimed.count !== 1) throw appError("CONFLICT", "The KYC status changed meanwhile; try again");
    if (to === "VERIFIED" || to === "REJECTED") {
      await tx.identityDocument.updateMany({ where: { playerId: player.id, status: "SUBMITTED" }, data: { status: to === "VERIFIED" ? "ACCEPTED" : "REJECTED" } });
    }
    await this.recordChange(tx, player.id, player.kycStatus, to, actor, note, changedAt);
  }

  private async recordChange(tx: Tx, playerId: string, from: KycStatus, to: KycStatus, actor: string, note: string | null, at: Date): Promise<void> {
    await tx.kycStatusChange.create({ data: { id: randomUUID(), playerId, fromStatus: from, toStatus: to, actor, note, createdAt: at } });
    await tx.outboxEvent.create({ data: playerKycChanged(playerId, to, at) });
  }

  private verificationRequest(player: Player, documents: IdentityDocument[]): KycVerificationRequest {
    const { firstName, lastName, addressLine1, city, postcode } = player;
    if (!firstName) throw badInput("Add your first name before requesting verification", "firstName");
    if (!lastName) throw badInput("Add your last name before requesting verification", "lastName");
    if (!addressLine1 || !city || !postcode) throw badInput("Add your address before requesting verification", "addressLine1");
    if (documents.length === 0) throw badInput("Record at least one identity document before requesting verification", "identityDocuments");
    return {
      clientReference: randomUUID(),
      callbackUrl: this.callbackUrl(),
      person: {
        firstName,
        lastName,
        dateOfBirth: isoDate(player.dateOfBirth),
        address: { line1: addressLine1, line2: player.addressLine2, city, postcode, country: player.country },
      },
      documents: documents.map((d) => ({
        type: d.type,
        issuingCountry: d.issuingCountry,
        expiresOn: d.expiresOn ? isoDate(d.expiresOn) : null,
        numberLast4: d.numberLast4,
      })),
    };
  }
}

/** A player's own actions need an account that is not closed or blocked (an access token outlives a block). */
export function assertCanAct(player: Pick<Player, "status">): void {
  if (cannotLogIn(player.status)) throw appError("ACCOUNT_DISABLED", "This account is closed or blocked; contact support");
}
