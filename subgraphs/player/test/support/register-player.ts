import { randomUUID } from "node:crypto";
import type { TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";

export const PASSWORD = "correct horse battery";

export interface RegisteredPlayer {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

const REGISTER = `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken refreshToken } }`;

export const playerInput = (overrides: Record<string, unknown> = {}) => ({
  email: `p-${randomUUID()}@example.com`,
  password: PASSWORD,
  dateOfBirth: "1990-04-23",
  country: "GB",
  currency: "GBP",
  ...overrides,
});

/** Registers a player through GraphQL (profile fields optional) and returns their id and tokens. */
export async function registerPlayer(svc: TestService<PrismaClient>, overrides: Record<string, unknown> = {}, userAgent?: string): Promise<RegisteredPlayer> {
  const input = playerInput(overrides);
  const res = await fetch(svc.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(userAgent ? { "user-agent": userAgent } : {}) },
    body: JSON.stringify({ query: REGISTER, variables: { input } }),
  });
  const body = (await res.json()) as { data?: { registerPlayer: { accessToken: string; refreshToken: string } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  const player = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { email: input.email } });
  return { id: player.id, email: input.email, ...body.data!.registerPlayer };
}

/** A player with a complete profile and one valid passport recorded: ready to request verification. */
export async function registerVerifiablePlayer(svc: TestService<PrismaClient>, overrides: Record<string, unknown> = {}, passportExpiresOn = "2035-01-31") {
  const player = await registerPlayer(svc, {
    firstName: "Ann",
    lastName: "Smith",
    addressLine1: "1 High Street",
    city: "London",
    postcode: "SW1A 1AA",
    ...overrides,
  });
  const res = await svc.graphql(
    `mutation($input: RecordIdentityDocumentInput!) { recordIdentityDocument(input: $input) { id } }`,
    { input: { type: "PASSPORT", issuingCountry: "GB", expiresOn: passportExpiresOn, number: `P${randomUUID().replace(/-/g, "").slice(0, 8)}` } },
    player.accessToken,
  );
  expect(res.errors).toBeUndefined();
  return player;
}
