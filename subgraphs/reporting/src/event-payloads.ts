import { z } from "@casino/kernel/config";
import type { DomainEvent } from "@casino/kernel/events/types";
import { isSupportedCurrency } from "@casino/kernel/money";
import { isWalletTransactionType, type PostedTransaction, type Registration } from "./aggregate.ts";

// Reports format money through the kernel's currency table; a currency outside it could not be shown.
const currency = z.string().refine(isSupportedCurrency, "must be a supported ISO 4217 code");
const minorUnits = z.string().regex(/^-?\d{1,19}$/, "must be an integer string of minor units");
const instant = z.iso.datetime({ offset: true });

const playerRegisteredSchema = z.object({ playerId: z.uuid(), currency });

const transactionPostedSchema = z.object({
  transactionId: z.uuid(),
  type: z.string(),
  playerId: z.uuid(),
  currency,
  amountMinor: minorUnits,
  // Added with the bonus and reserved accounts: events stored before them have neither, and moved
  // neither balance.
  bonusAmountMinor: minorUnits.default("0"),
  reservedAmountMinor: minorUnits.default("0"),
});

/** A payload no redelivery can make readable: logged and skipped. */
export class MalformedEventError extends Error {
  constructor(
    readonly event: Pick<DomainEvent, "id" | "type">,
    readonly problems: string[],
  ) {
    super(`${event.type} ${event.id} is malformed: ${problems.join("; ")}`);
    this.name = "MalformedEventError";
  }
}

/**
 * A transaction type this version does not know: not malformed, just newer than this code. It is
 * left for redelivery, so a release that knows the type counts it instead of losing it.
 */
export class UnknownTransactionTypeError extends Error {
  constructor(
    readonly eventId: string,
    readonly transactionType: string,
  ) {
    super(`wallet.transaction_posted ${eventId} has unknown type ${JSON.stringify(transactionType)}`);
    this.name = "UnknownTransactionTypeError";
  }
}

function parse<T>(schema: z.ZodType<T>, event: DomainEvent): T & { occurredAt: Date } {
  const payload = schema.safeParse(event.payload);
  const occurredAt = instant.safeParse(event.occurredAt);
  const problems = [
    ...(payload.success ? [] : payload.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`)),
    ...(occurredAt.success ? [] : ["occurredAt: must be an ISO 8601 instant"]),
  ];
  if (!payload.success || !occurredAt.success) throw new MalformedEventError(event, problems);
  return { ...payload.data, occurredAt: new Date(occurredAt.data) };
}

export function parsePlayerRegistered(event: DomainEvent): Registration {
  const { playerId, currency: registeredCurrency, occurredAt } = parse(playerRegisteredSchema, event);
  return { playerId, currency: registeredCurrency, occurredAt };
}

export function parseTransactionPosted(event: DomainEvent): PostedTransaction {
  const posted = parse(transactionPostedSchema, event);
  if (!isWalletTransactionType(posted.type)) throw new UnknownTransactionTypeError(event.id, posted.type);
  return {
    type: posted.type,
    playerId: posted.playerId,
    currency: posted.currency,
    amountMinor: BigInt(posted.amountMinor),
    bonusAmountMinor: BigInt(posted.bonusAmountMinor),
    reservedAmountMinor: BigInt(posted.reservedAmountMinor),
    occurredAt: posted.occurredAt,
  };
}
