import {
  defaultFieldResolver,
  isIntrospectionType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from "graphql";
import type { StaffRole, Principal } from "../auth/principal.ts";
import { forbidden, unauthenticated } from "../errors.ts";

export interface AuthContext {
  principal: Principal;
}

/**
 * A rule deciding whether the caller may resolve one field. It throws UNAUTHENTICATED or FORBIDDEN
 * and returns nothing when access is granted. `parent` is the object the field belongs to, so rules
 * can check ownership ("a player reads only their own wallet").
 */
export type Policy<Ctx extends AuthContext = AuthContext> = (ctx: Ctx, parent: unknown, args: Record<string, unknown>) => void | Promise<void>;

const requireAuthenticated = (ctx: AuthContext) => {
  if (ctx.principal.kind === "anonymous") throw unauthenticated();
};

function hasAnyRole(principal: Principal, roles: readonly StaffRole[]): boolean {
  if (principal.kind !== "staff") return false;
  return principal.roles.includes("admin") || principal.roles.some((r) => roles.includes(r));
}

export const allow = {
  /** Anyone, signed in or not (login, registration, public catalogue). */
  public: (() => undefined) as Policy,
  authenticated: ((ctx) => requireAuthenticated(ctx)) as Policy,
  player: ((ctx) => {
    requireAuthenticated(ctx);
    if (ctx.principal.kind !== "player") throw forbidden("Players only");
  }) as Policy,
  /** Staff holding any of the roles; admin holds every role. */
  staff: (...roles: StaffRole[]): Policy => (ctx) => {
    requireAuthenticated(ctx);
    if (!hasAnyRole(ctx.principal, roles)) throw forbidden(`Requires one of the staff roles: ${roles.join(", ") || "admin"}`);
  },
  /**
   * The player the object belongs to, or staff with one of the roles. `ownerOf` reads the owning
   * player id from the parent object (or the arguments for root fields).
   */
  ownerOrStaff:
    (ownerOf: (parent: unknown, args: Record<string, unknown>) => string | null | undefined, ...roles: StaffRole[]): Policy =>
    (ctx, parent, args) => {
      requireAuthenticated(ctx);
      const p = ctx.principal;
      if (p.kind === "player" && p.playerId === ownerOf(parent, args)) return;
      if (hasAnyRole(p, roles)) return;
      throw forbidden("You may only access your own data");
    },
  /** The field belongs to an object whose own access was already decided (a value type like Money). */
  inherited: (() => undefined) as Policy,
};

/** Fields the federation runtime adds; their results are guarded by the entity fields' own policies. */
const FEDERATION_FIELDS = new Set(["Query._service", "Query._entities", "_Service.sdl"]);

/**
 * Wraps every field resolver of the schema in its policy. Deny by default: a field without a policy
 * (`"Type.field"`, or `"Type.*"` for all fields of a type) fails at start-up, so a new field can never
 * be exposed by accident.
 */
export function applyFieldPolicies<Ctx extends AuthContext>(schema: GraphQLSchema, policies: Record<string, Policy<Ctx>>): GraphQLSchema {
  const missing: string[] = [];
  const used = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      if (FEDERATION_FIELDS.has(key)) continue;
      const policyKey = policies[key] ? key : policies[`${type.name}.*`] ? `${type.name}.*` : undefined;
      if (!policyKey) {
        missing.push(key);
        continue;
      }
      used.add(policyKey);
      const policy = policies[policyKey]!;
      // Open fields keep their plain resolver: no promise per field on the hot path.
      if (policy === allow.public || policy === allow.inherited) continue;
      const resolve: GraphQLFieldResolver<unknown, Ctx> = field.resolve ?? defaultFieldResolver;
      field.resolve = async (parent, args, ctx, info) => {
        await policy(ctx, parent, args);
        return resolve(parent, args, ctx, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        field.subscribe = async (parent, args, ctx, info) => {
          await policy(ctx, parent, args);
          return subscribe(parent, args, ctx, info);
        };
      }
    }
  }
  if (missing.length) throw new Error(`Fields without an authorization policy: ${missing.join(", ")}`);
  const unused = Object.keys(policies).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`Policies for fields that do not exist: ${unused.join(", ")}`);
  return schema;
}
