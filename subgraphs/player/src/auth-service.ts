import { randomUUID } from "node:crypto";
import { hashPassword, timingSafeDummyVerify, verifyPassword } from "@casino/kernel/auth/passwords";
import { isStaffRole, type StaffRole } from "@casino/kernel/auth/principal";
import { hashOpaqueToken, newOpaqueToken, type TokenIssuer } from "@casino/kernel/auth/tokens";
import { isUniqueViolation } from "@casino/kernel/db/errors";
import { appError, badInput, unauthenticated } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";
import { cannotLogIn } from "./account-status.ts";
import type { ComplianceGamstopScreen } from "./gamstop-screen.ts";
import { isoDate, playerRegistered } from "./events.ts";
import type { PrismaClient, SubjectType } from "./generated/prisma/client.ts";
import { EMPTY_PROFILE, assertAddressComplete, parseProfileChanges, type ProfileInput } from "./profile.ts";
import type { ClientInfo } from "./request-meta.ts";
import type { SessionRevocations } from "./session-revocations.ts";
import { checkPassword, normaliseEmail, parseCountry, parseCurrency, parseDateOfBirth } from "./validation.ts";

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: "Bearer";
}

export interface RegisterInput extends ProfileInput {
  email: string;
  password: string;
  dateOfBirth: string;
  country: string;
  currency: string;
}

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Shown for every failed login, whatever the reason, so no account's existence leaks. */
const BAD_CREDENTIALS = "Email or password is incorrect";
const accountDisabled = () => appError("ACCOUNT_DISABLED", "This account is closed or blocked; contact support");
const NO_CLIENT_INFO: ClientInfo = { userAgent: null, ip: null };

export class AuthService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly issuer: TokenIssuer,
    private readonly revocations: SessionRevocations,
    private readonly log: Logger,
    private readonly publishOutbox: () => void,
    private readonly now: () => Date = () => new Date(),
    /** Screens registrations against GAMSTOP; undefined outside production when compliance is not configured. */
    private readonly gamstop?: ComplianceGamstopScreen,
  ) {}

  async registerPlayer(input: RegisterInput, client: ClientInfo = NO_CLIENT_INFO): Promise<AuthPayload> {
    const email = normaliseEmail(input.email);
    const password = checkPassword(input.password);
    const dateOfBirth = parseDateOfBirth(input.dateOfBirth, this.now());
    const country = parseCountry(input.country);
    const currency = parseCurrency(input.currency);
    const profile = { ...EMPTY_PROFILE, ...parseProfileChanges(input, country) };
    assertAddressComplete(profile);
    // A person self-excluded with GAMSTOP gets no account. Screened when the details GAMSTOP needs
    // are given (GB); without them compliance screens once the profile is complete, and until then
    // the account can neither deposit nor play.
    const gamstop =
      this.gamstop && country === "GB" && profile.firstName && profile.lastName && profile.postcode
        ? await this.gamstop.screen({ firstName: profile.firstName, lastName: profile.lastName, dateOfBirth: isoDate(dateOfBirth), email, postcode: profile.postcode })
        : null;
    // Hash before looking at the email, so a taken address answers in the same time as a free one.
    const passwordHash = await hashPassword(password);
    const playerId = randomUUID();
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.player.create({ data: { id: playerId, email, passwordHash, dateOfBirth, country, currency, ...profile } });
        await tx.outboxEvent.create({
          data: playerRegistered({ playerId, email, country, currency, dateOfBirth: isoDate(dateOfBirth), ...profile, gamstop }),
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        // Deliberately vague: the response must not confirm that this email holds an account.
        throw badInput("Registration could not be completed with these details", "email");
      }
      throw err;
    }
    this.publishOutbox();
    this.log.info({ playerId }, "player registered");
    return this.startSession("PLAYER", playerId, [], client);
  }

  async login(rawEmail: string, password: string, client: ClientInfo = NO_CLIENT_INFO): Promise<AuthPayload> {
    const email = rawEmail.trim().toLowerCase();
    const player = await this.prisma.player.findUnique({ where: { email } });
    if (!player) {
      await timingSafeDummyVerify(password);
      throw unauthenticated(BAD_CREDENTIALS);
    }
    if (!(await verifyPassword(player.passwordHash, password))) throw unauthenticated(BAD_CREDENTIALS);
    if (cannotLogIn(player.status)) throw accountDisabled();
    return this.startSession("PLAYER", player.id, [], client);
  }

  async staffLogin(rawEmail: string, password: string, client: ClientInfo = NO_CLIENT_INFO): Promise<AuthPayload> {
    const email = rawEmail.trim().toLowerCase();
    const staff = await this.prisma.staffUser.findUnique({ where: { email } });
    if (!staff) {
      await timingSafeDummyVerify(password);
      throw unauthenticated(BAD_CREDENTIALS);
    }
    if (!(await verifyPassword(staff.passwordHash, password)) || !staff.active) throw unauthenticated(BAD_CREDENTIALS);
    return this.startSession("STAFF", staff.id, staff.roles.filter(isStaffRole), client);
  }

  /**
   * Rotates a refresh token. Presenting a token that was already exchanged means it was copied:
   * the whole session is revoked, cutting off whoever holds the newer token too.
   */
  async refresh(refreshToken: string): Promise<AuthPayload> {
    const tokenHash = hashOpaqueToken(refreshToken);
    const found = await this.prisma.refreshToken.findUnique({ where: { tokenHash }, include: { session: true } });
    if (!found) throw unauthenticated("Invalid refresh token");
    const { session } = found;
    const now = this.now();
    if (session.revokedAt || session.expiresAt <= now) throw unauthenticated("Session has ended");
    const claimed = await this.prisma.refreshToken.updateMany({ where: { tokenHash, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) {
      // A copied refresh token must die even when the gateways cannot be told right now.
      await this.revocations.revokeEvenIfUnpublished(session.id, "refresh token reuse");
      this.log.warn({ sessionId: session.id }, "refresh token reuse detected; session revoked");
      throw unauthenticated("Session has ended");
    }
    const roles = await this.currentRoles(session.subjectType, session.subjectId);
    const next = newOpaqueToken();
    await this.prisma.$transaction([
      this.prisma.refreshToken.create({ data: { tokenHash: next.hash, sessionId: session.id } }),
      this.prisma.authSession.update({ where: { id: session.id }, data: { lastUsedAt: now } }),
    ]);
    return this.payload(session.subjectType, session.subjectId, session.id, roles, next.token);
  }

  async logout(refreshToken: string): Promise<boolean> {
    const found = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(refreshToken) } });
    if (!found) return false;
    // Its access tokens stop working at the gateways too; SERVICE_UNAVAILABLE (nothing revoked) when they cannot be told.
    await this.prisma.$transaction((tx) => this.revocations.revokeWhere(tx, { id: found.sessionId }, "logout"));
    return true;
  }

  async createStaffUser(input: { email: string; password: string; roles: string[] }) {
    const email = normaliseEmail(input.email);
    const password = checkPassword(input.password);
    const roles = [...new Set(input.roles)];
    if (roles.length === 0 || !roles.every(isStaffRole)) throw badInput("Give at least one valid staff role", "roles");
    try {
      return await this.prisma.staffUser.create({
        data: { id: randomUUID(), email, passwordHash: await hashPassword(password), roles },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw appError("CONFLICT", "A staff user with this email exists");
      throw err;
    }
  }

  /** Makes sure the configured admin exists; its password follows the configuration. */
  async seedAdmin(rawEmail: string, password: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    const existing = await this.prisma.staffUser.findUnique({ where: { email } });
    if (existing && (await verifyPassword(existing.passwordHash, password)) && existing.roles.includes("admin") && existing.active) return;
    const passwordHash = await hashPassword(password);
    await this.prisma.staffUser.upsert({
      where: { email },
      create: { id: randomUUID(), email, passwordHash, roles: ["admin"] },
      update: { passwordHash, roles: { set: [...new Set([...(existing?.roles ?? []), "admin"])] }, active: true },
    });
    this.log.info({ email }, "admin staff user seeded");
  }

  private async currentRoles(subjectType: SubjectType, subjectId: string): Promise<StaffRole[]> {
    if (subjectType === "PLAYER") {
      const player = await this.prisma.player.findUnique({ where: { id: subjectId } });
      if (!player) throw unauthenticated("Session has ended");
      if (cannotLogIn(player.status)) throw accountDisabled();
      return [];
    }
    const staff = await this.prisma.staffUser.findUnique({ where: { id: subjectId } });
    if (!staff?.active) throw unauthenticated("Session has ended");
    return staff.roles.filter(isStaffRole);
  }

  private async startSession(subjectType: SubjectType, subjectId: string, roles: StaffRole[], client: ClientInfo): Promise<AuthPayload> {
    const sessionId = randomUUID();
    const refresh = newOpaqueToken();
    await this.prisma.authSession.create({
      data: {
        id: sessionId,
        subjectType,
        subjectId,
        expiresAt: new Date(this.now().getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
        userAgent: client.userAgent?.slice(0, 256) ?? null,
        ipAddress: client.ip,
        tokens: { create: { tokenHash: refresh.hash } },
      },
    });
    return this.payload(subjectType, subjectId, sessionId, roles, refresh.token);
  }

  private async payload(subjectType: SubjectType, subjectId: string, sessionId: string, roles: StaffRole[], refreshToken: string): Promise<AuthPayload> {
    const accessToken = await this.issuer.issue({
      sub: subjectId,
      typ: subjectType === "PLAYER" ? "player" : "staff",
      sid: sessionId,
      ...(subjectType === "STAFF" ? { roles } : {}),
    });
    return { accessToken, refreshToken, expiresIn: this.issuer.accessTtlSeconds, tokenType: "Bearer" };
  }
}
