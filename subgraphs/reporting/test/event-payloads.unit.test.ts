import { MalformedEventError, UnknownTransactionTypeError, parsePlayerRegistered, parseTransactionPosted } from "../src/event-payloads.ts";
import { playerRegisteredEvent, transactionPostedEvent } from "./support/domain-events.ts";

const PLAYER = "6f1d0c3a-7a38-4c65-9a55-0d6c1f4f2b10";

describe("parseTransactionPosted", () => {
  it("given the wallet's payload, then the cash, bonus and reserved changes are exact minor units and the instant is the event's", () => {
    // Given a stake funded by cash then bonus money, in amounts past a double's exact range
    const event = transactionPostedEvent({
      playerId: PLAYER,
      type: "STAKE",
      amountMinor: -9_007_199_254_740_993n,
      bonusAmountMinor: -9_007_199_254_740_995n,
      reservedAmountMinor: 0n,
      occurredAt: "2026-11-24T10:00:00.000Z",
    });
    // When / Then
    expect(parseTransactionPosted(event)).toEqual({
      type: "STAKE",
      playerId: PLAYER,
      currency: "GBP",
      amountMinor: -9_007_199_254_740_993n,
      bonusAmountMinor: -9_007_199_254_740_995n,
      reservedAmountMinor: 0n,
      occurredAt: new Date("2026-11-24T10:00:00.000Z"),
    });
  });

  it("given a withdrawal commit, then the reserved change is read with the cash released", () => {
    const event = transactionPostedEvent({
      playerId: PLAYER,
      type: "WITHDRAWAL_COMMIT",
      amountMinor: 50n,
      bonusAmountMinor: 0n,
      reservedAmountMinor: -800n,
      occurredAt: "2026-11-24T10:00:00Z",
    });
    expect(parseTransactionPosted(event)).toMatchObject({ amountMinor: 50n, bonusAmountMinor: 0n, reservedAmountMinor: -800n });
  });

  it("given an event published before the bonus and reserved changes existed, then both are 0", () => {
    // Given
    const event = transactionPostedEvent({ playerId: PLAYER, type: "WITHDRAWAL_COMMIT", amountMinor: -2_000n, occurredAt: "2026-11-24T10:00:00Z" });
    // When
    const posted = parseTransactionPosted(event);
    // Then
    expect([Object.keys(event.payload as object).includes("bonusAmountMinor"), posted]).toEqual([
      false,
      {
        type: "WITHDRAWAL_COMMIT",
        playerId: PLAYER,
        currency: "GBP",
        amountMinor: -2_000n,
        bonusAmountMinor: 0n,
        reservedAmountMinor: 0n,
        occurredAt: new Date("2026-11-24T10:00:00Z"),
      },
    ]);
  });

  it.each(["bonusAmountMinor", "reservedAmountMinor"])("given a %s that is not an integer string, then the event is malformed", (field) => {
    const event = transactionPostedEvent({ playerId: PLAYER, type: "STAKE", amountMinor: -1n, occurredAt: "2026-11-24T10:00:00Z" });
    for (const bad of ["-2.00", "", 5, null]) {
      const broken = { ...event, payload: { ...(event.payload as object), [field]: bad } };
      expect(() => parseTransactionPosted(broken)).toThrow(new RegExp(`payload\\.${field}: `));
    }
  });

  it("given an amount that is not an integer string, then the event is malformed", () => {
    const event = transactionPostedEvent({ playerId: PLAYER, type: "WIN", amountMinor: 1n, occurredAt: "2026-11-24T10:00:00Z" });
    const broken = { ...event, payload: { ...(event.payload as object), amountMinor: "12.50" } };
    expect(() => parseTransactionPosted(broken)).toThrow(MalformedEventError);
  });

  it("given a currency the platform does not support, then the event is malformed", () => {
    const event = transactionPostedEvent({ playerId: PLAYER, type: "WIN", amountMinor: 1n, occurredAt: "2026-11-24T10:00:00Z", currency: "XYZ" });
    expect(() => parseTransactionPosted(event)).toThrow(/payload\.currency: must be a supported ISO 4217 code/);
  });

  it("given an occurredAt that is not an instant, then the event is malformed", () => {
    const event = transactionPostedEvent({ playerId: PLAYER, type: "WIN", amountMinor: 1n, occurredAt: "yesterday" });
    expect(() => parseTransactionPosted(event)).toThrow(/occurredAt: must be an ISO 8601 instant/);
  });

  it("given a transaction type this code does not know, then it is kept for redelivery, not called malformed", () => {
    const event = transactionPostedEvent({ playerId: PLAYER, type: "WIN", amountMinor: 1n, occurredAt: "2026-11-24T10:00:00Z" });
    const newer = { ...event, payload: { ...(event.payload as object), type: "JACKPOT_WIN" } };
    expect(() => parseTransactionPosted(newer)).toThrow(UnknownTransactionTypeError);
  });
});

describe("parsePlayerRegistered", () => {
  it("given the player service's payload, then the registration carries the player's currency and the event's instant", () => {
    expect(parsePlayerRegistered(playerRegisteredEvent(PLAYER, "2026-11-24T08:00:00Z", "EUR"))).toEqual({
      playerId: PLAYER,
      currency: "EUR",
      occurredAt: new Date("2026-11-24T08:00:00Z"),
    });
  });

  it("given a payload without a player id, then the event is malformed", () => {
    const event = playerRegisteredEvent(PLAYER, "2026-11-24T08:00:00Z");
    expect(() => parsePlayerRegistered({ ...event, payload: { currency: "GBP" } })).toThrow(MalformedEventError);
  });
});
