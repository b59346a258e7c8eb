import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type FieldNode,
} from "graphql";

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

/** Multiplier of a list field without a first/limit argument. */
export const DEFAULT_LIST_SIZE = 10;
const PAGE_ARGUMENTS = ["first", "limit"];
const INTROSPECTION_ROOTS = new Set(["__schema", "__type"]);

type Limit = "depth" | "aliases" | "cost";

export function limitError(limit: Limit, message: string, max: number, actual: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, {
    ...(nodes ? { nodes } : {}),
    extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit, max, actual, http: { status: 400 } },
  });
}

/**
 * Measures one document. Fragment results are memoised by name, so a document that spreads the same
 * fragment many times over ("fragment bombs") costs its size to measure, not its expansion. Fragment
 * cycles count as empty here; the standard NoFragmentCycles rule reports them.
 */
export class OperationMeter {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly depthMemo = new Map<string, number>();
  private readonly aliasMemo = new Map<string, number>();
  private readonly costMemo = new Map<string, number>();
  private readonly inProgress = new Set<string>();
  private variableDefaults = new Map<string, number>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    /** Values of the request's variables; without them a page size held in a variable counts as the default. */
    private readonly variables?: Record<string, unknown>,
  ) {
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(def.name.value, def);
  }

  depth(operation: OperationDefinitionNode): number {
    return this.depthOf(operation.selectionSet);
  }

  aliases(operation: OperationDefinitionNode): number {
    return this.aliasesOf(operation.selectionSet);
  }

  cost(operation: OperationDefinitionNode): number {
    this.variableDefaults = new Map();
    for (const v of operation.variableDefinitions ?? []) {
      if (v.defaultValue?.kind === Kind.INT) this.variableDefaults.set(v.variable.name.value, Number(v.defaultValue.value));
    }
    const root =
      operation.operation === "query" ? this.schema.getQueryType() : operation.operation === "mutation" ? this.schema.getMutationType() : this.schema.getSubscriptionType();
    this.costMemo.clear();
    return this.costOf(operation.selectionSet, root ?? undefined, false);
  }

  private withFragment<T>(memo: Map<string, T>, key: string, name: string, empty: T, measure: (f: FragmentDefinitionNode) => T): T {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.inProgress.has(key)) return empty;
    this.inProgress.add(key);
    try {
      const value = measure(fragment);
      memo.set(key, value);
      return value;
    } finally {
      this.inProgress.delete(key);
    }
  }

  private depthOf(set: SelectionSetNode): number {
    let max = 0;
    for (const s of set.selections) {
      let d: number;
      if (s.kind === Kind.FIELD) {
        if (INTROSPECTION_ROOTS.has(s.name.value)) continue;
        d = 1 + (s.selectionSet ? this.depthOf(s.selectionSet) : 0);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        d = this.depthOf(s.selectionSet);
      } else {
        d = this.withFragment(this.depthMemo, s.name.value, s.name.value, 0, (f) => this.depthOf(f.selectionSet));
      }
      if (d > max) max = d;
    }
    return max;
  }

  private aliasesOf(set: SelectionSetNode): number {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += (s.alias ? 1 : 0) + (s.selectionSet ? this.aliasesOf(s.selectionSet) : 0);
      else if (s.kind === Kind.INLINE_FRAGMENT) n += this.aliasesOf(s.selectionSet);
      else n += this.withFragment(this.aliasMemo, s.name.value, s.name.value, 0, (f) => this.aliasesOf(f.selectionSet));
    }
    return n;
  }

  /**
   * Each field costs 1 plus its selections times a multiplier: the page size (first/limit, given or
   * defaulted in the schema) for fields that take one, DEFAULT_LIST_SIZE for other list fields. The list
   * directly inside a paginated non-list field (a connection's edges or nodes) is already counted by
   * the page size, so it does not multiply again.
   */
  private costOf(set: SelectionSetNode, parent: GraphQLNamedType | undefined, insidePage: boolean): number {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (INTROSPECTION_ROOTS.has(s.name.value)) continue;
        const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[s.name.value] : undefined;
        total += 1;
        if (!s.selectionSet) continue;
        const isList = def ? isListType(getNullableType(def.type)) : false;
        const page = def ? this.pageSize(s, def) : undefined;
        const multiplier = page ?? (isList && !insidePage ? DEFAULT_LIST_SIZE : 1);
        total += multiplier * this.costOf(s.selectionSet, def ? getNamedType(def.type) : undefined, page !== undefined && !isList);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition ? this.schema.getType(s.typeCondition.name.value) ?? undefined : parent;
        total += this.costOf(s.selectionSet, type, insidePage);
      } else {
        const name = s.name.value;
        total += this.withFragment(this.costMemo, `${name}|${insidePage}`, name, 0, (f) =>
          this.costOf(f.selectionSet, this.schema.getType(f.typeCondition.name.value) ?? undefined, insidePage),
        );
      }
    }
    return total;
  }

  /** The page size of a field that takes first/limit; undefined for fields that do not. */
  private pageSize(node: FieldNode, def: GraphQLField<unknown, unknown>): number | undefined {
    const declared = def.args.find((a) => PAGE_ARGUMENTS.includes(a.name));
    if (!declared) return undefined;
    const given = node.arguments?.find((a) => a.name.value === declared.name)?.value;
    let size: unknown = declared.defaultValue;
    if (given?.kind === Kind.INT) size = Number(given.value);
    else if (given?.kind === Kind.VARIABLE) {
      const name = given.name.value;
      size = this.variables && name in this.variables ? this.variables[name] : this.variableDefaults.get(name);
    } else if (given) size = undefined;
    return typeof size === "number" && Number.isFinite(size) && size >= 0 ? size : DEFAULT_LIST_SIZE;
  }
}

const meters = new WeakMap<ValidationContext, OperationMeter>();

function meterFor(context: ValidationContext): OperationMeter {
  let meter = meters.get(context);
  if (!meter) {
    meter = new OperationMeter(context.getSchema(), context.getDocument());
    meters.set(context, meter);
  }
  return meter;
}

export function depthLimitRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const depth = meterFor(context).depth(node);
      if (depth > max) context.reportError(limitError("depth", `Query depth ${depth} exceeds the maximum depth of ${max}`, max, depth, [node]));
    },
  });
}

export function aliasLimitRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const aliases = meterFor(context).aliases(node);
      if (aliases > max) context.reportError(limitError("aliases", `Query uses ${aliases} aliases; the maximum is ${max}`, max, aliases, [node]));
    },
  });
}

function costMessage(cost: number, max: number): string {
  return `Query cost ${cost} exceeds the maximum cost of ${max} (each field costs 1; list fields multiply their selections by first/limit, or by ${DEFAULT_LIST_SIZE})`;
}

export function costLimitRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const cost = meterFor(context).cost(node);
      if (cost > max) context.reportError(limitError("cost", costMessage(cost, max), max, cost, [node]));
    },
  });
}

export function limitRules(limits: OperationLimits): ValidationRule[] {
  return [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases), costLimitRule(limits.maxCost)];
}

/**
 * Validation results are cached per document, before variables are known, so a page size passed in a
 * variable is measured there as its default. This re-measures such operations with the real values.
 */
export function costWithVariablesPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation?.variableDefinitions?.length) return;
          const cost = new OperationMeter(schema, document, request.variables ?? {}).cost(operation);
          if (cost > maxCost) throw limitError("cost", costMessage(cost, maxCost), maxCost, cost);
        },
      };
    },
  };
}
