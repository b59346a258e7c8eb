import { createHash } from "node:crypto";
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  getDirectiveValues,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parseType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from "graphql";
import type { ResolvedTopic } from "./registry.ts";

type Variables = Record<string, unknown>;

/** The subscription rewritten as a query on the twin field; built once per subscription document. */
export interface TwinQuery {
  readonly document: DocumentNode;
  readonly source: string;
  /** sha256 of `source`, the key of the gateway's query plan cache. */
  readonly queryHash: string;
  readonly operationName: string;
  readonly operation: OperationDefinitionNode;
  /** Variables of the twin operation and where their values come from. */
  readonly playerVariable: string | undefined;
  readonly payloadVariables: ReadonlyArray<{ variable: string; path: readonly string[] }>;
  /** The client's own variables still referenced by the copied selection. */
  readonly clientVariables: readonly string[];
}

export interface SubscriptionPlan {
  readonly topic: ResolvedTopic;
  /** The response key (alias or field name) the client sees. */
  readonly responseKey: string;
  readonly twin: TwinQuery | undefined;
  /** True when every field the client selected, however nested or aliased, is in the payload. */
  coveredBy(payload: unknown, variables: Variables): boolean;
  /** Values for the twin operation's variables. */
  twinVariables(playerId: string, payload: unknown, clientVariables: Variables): Variables;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

function included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Variables): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The root field nodes of the operation (several nodes when fragments repeat the one field). */
function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      if (fragment) out.push(...rootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return out;
}

/**
 * Whether a payload value can answer `selections` of `type` through default resolvers. Conservative:
 * a field that takes arguments, or an abstract type without `__typename` in the payload, counts as not
 * covered, because the payload cannot honour either.
 */
class Coverage {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  value(type: GraphQLOutputType, selections: readonly SelectionNode[], value: unknown, variables: Variables): boolean {
    if (value === undefined) return false;
    if (value === null) return !isNonNullType(type);
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      return Array.isArray(value) && value.every((item) => this.value(nullable.ofType, selections, item, variables));
    }
    if (isLeafType(nullable)) return true;
    if (!isRecord(value)) return false;
    let objectType: GraphQLObjectType | undefined;
    if (isObjectType(nullable)) objectType = nullable;
    else if (isAbstractType(nullable) && typeof value.__typename === "string") {
      const candidate = this.schema.getType(value.__typename);
      if (isObjectType(candidate) && this.schema.isSubType(nullable, candidate)) objectType = candidate;
    }
    return objectType ? this.selections(objectType, selections, value, variables) : false;
  }

  private applies(typeCondition: string | undefined, type: GraphQLObjectType): boolean {
    if (!typeCondition || typeCondition === type.name) return true;
    const condition = this.schema.getType(typeCondition);
    return condition !== undefined && isAbstractType(condition) && this.schema.isSubType(condition, type);
  }

  selections(type: GraphQLObjectType, selections: readonly SelectionNode[], value: Record<string, unknown>, variables: Variables): boolean {
    for (const s of selections) {
      if (!included(s, variables)) continue;
      if (s.kind === Kind.FIELD) {
        if (s.name.value === "__typename") continue;
        const def = type.getFields()[s.name.value];
        if (!def || s.arguments?.length) return false;
        if (!this.value(def.type, s.selectionSet?.selections ?? [], value[s.name.value], variables)) return false;
      } else {
        const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : this.fragments.get(s.name.value);
        if (!fragment) return false;
        if (!this.applies(fragment.typeCondition?.name.value, type)) continue;
        if (!this.selections(type, fragment.selectionSet.selections, value, variables)) return false;
      }
    }
    return true;
  }
}

function fragmentsUsedBy(selections: readonly SelectionNode[], fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: { selections: readonly SelectionNode[] }) =>
    visit({ kind: Kind.SELECTION_SET, selections: node.selections } as SelectionSetNode, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment || used.has(name)) return;
        used.set(name, fragment);
        walk(fragment.selectionSet);
      },
    });
  walk({ selections });
  return [...used.values()];
}

function variablesUsedBy(nodes: ReadonlyArray<FieldNode | FragmentDefinitionNode>): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) visit(node, { Variable: (v) => void names.add(v.name.value) });
  return names;
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

function buildTwin(
  topic: ResolvedTopic,
  operation: OperationDefinitionNode,
  fields: readonly FieldNode[],
  fragments: Map<string, FragmentDefinitionNode>,
): TwinQuery | undefined {
  const twin = topic.twin;
  if (!twin) return undefined;
  const first = fields[0]!;
  const selections = fields.flatMap((f) => f.selectionSet?.selections ?? []);
  const usedFragments = fragmentsUsedBy(selections, fragments);
  const clientDefs = operation.variableDefinitions ?? [];
  const taken = new Set(clientDefs.map((d) => d.variable.name.value));
  const fresh = (base: string) => {
    let candidate = `twin_${base}`;
    while (taken.has(candidate)) candidate = `_${candidate}`;
    taken.add(candidate);
    return candidate;
  };

  let playerVariable: string | undefined;
  const payloadVariables: Array<{ variable: string; path: readonly string[] }> = [];
  const twinDefs: VariableDefinitionNode[] = [];
  const args = twin.args.map((arg) => {
    const variable = fresh(arg.name);
    if (arg.name === topic.playerArgument) playerVariable = variable;
    else payloadVariables.push({ variable, path: topic.argumentPaths[arg.name] ?? [arg.name] });
    twinDefs.push({ kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: name(variable) }, type: parseType(String(arg.type)) });
    return { kind: Kind.ARGUMENT, name: name(arg.name), value: { kind: Kind.VARIABLE, name: name(variable) } } as const;
  });

  const twinField: FieldNode = {
    kind: Kind.FIELD,
    // The alias keeps the response key of the subscription, so both paths give one shape.
    alias: name(first.alias?.value ?? first.name.value),
    name: name(twin.name),
    arguments: args,
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  const used = variablesUsedBy([twinField, ...usedFragments]);
  const clientVariables = clientDefs.filter((d) => used.has(d.variable.name.value));
  const operationName = `${operation.name?.value ?? topic.field}_twin`;
  const twinOperation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    name: name(operationName),
    variableDefinitions: [...twinDefs, ...clientVariables],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [twinField] },
  };
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [twinOperation, ...usedFragments] };
  const source = print(document);
  return {
    document,
    source,
    queryHash: createHash("sha256").update(source).digest("hex"),
    operationName,
    operation: twinOperation,
    playerVariable,
    payloadVariables,
    clientVariables: clientVariables.map((d) => d.variable.name.value),
  };
}

/**
 * Plans one subscription document: finds its root field and live topic, and prepares the twin query.
 * Returns an error for fields the gateway does not serve.
 */
export function planSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  topics: ReadonlyMap<string, ResolvedTopic>,
): SubscriptionPlan | GraphQLError {
  const fragments = fragmentsOf(document);
  const fields = rootFields(operation.selectionSet, fragments);
  const first = fields[0];
  if (!first) return new GraphQLError("The subscription selects no field", { extensions: { code: "BAD_USER_INPUT" } });
  const topic = topics.get(first.name.value);
  if (!topic) {
    return new GraphQLError(`Subscription field "${first.name.value}" is not served by this gateway`, { extensions: { code: "BAD_USER_INPUT" } });
  }
  const coverage = new Coverage(schema, fragments);
  const twin = buildTwin(topic, operation, fields, fragments);
  const selections = fields.flatMap((f) => f.selectionSet?.selections ?? []);
  const type = topic.subscriptionField.type;
  return {
    topic,
    responseKey: first.alias?.value ?? first.name.value,
    twin,
    coveredBy(payload, variables) {
      try {
        return coverage.value(type, selections, payload, variables);
      } catch {
        // A directive argument that cannot be evaluated: let the refetch report it properly.
        return false;
      }
    },
    twinVariables(playerId, payload, clientVariables) {
      const values: Variables = {};
      if (!twin) return values;
      for (const v of twin.clientVariables) if (v in clientVariables) values[v] = clientVariables[v];
      if (twin.playerVariable) values[twin.playerVariable] = playerId;
      for (const { variable, path } of twin.payloadVariables) {
        const value = readPath(payload, path);
        if (value !== undefined && value !== null) values[variable] = value;
      }
      return values;
    },
  };
}
