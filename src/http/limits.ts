// Limits on what one GraphQL operation may ask for, as validation rules (so HTTP and graphql-ws
// apply them alike, before anything executes):
//   depth: the deepest nesting of selections (fragments expanded);
//   cost:  an estimate of the objects and fields resolved: each field costs 1, times the page
//          sizes of the lists around it. A field with a `first`/`last` argument multiplies its
//          selection by that page size (a variable counts as the largest page, none as the
//          default page); another list of objects counts as LIST_FACTOR items.
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLList,
  isCompositeType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Nesting walked by the cost estimate (the depth limit is far below). */
const MAX_COST_LEVELS = 100;

/** Items assumed in a list without page arguments (cycles of a path, pivots, children). */
export const LIST_FACTOR = 10;

export interface CostOptions {
  maxCost: number;
  /** Page size when `first`/`last` is absent. */
  defaultPageSize: number;
  /** Largest page size the API accepts (a variable page size counts as this). */
  maxPageSize: number;
}

/** A fragment spread inside itself is reported by graphql's own rule; this guard only stops the walk. */
type Visiting = Set<string>;

function fragmentOf(context: ValidationContext, name: string): FragmentDefinitionNode | undefined {
  return context.getFragment(name) ?? undefined;
}

/**
 * Depth of a selection set, walked at most `budget` levels down: beyond that it only reports
 * "deeper than the limit" (a hostile document may nest thousands deep; no deep recursion here).
 */
function selectionDepth(context: ValidationContext, set: SelectionSetNode | undefined, visiting: Visiting, budget: number): number {
  if (!set) return 0;
  if (budget <= 0) return set.selections.length > 0 ? 1 : 0;
  let deepest = 0;
  for (const selection of set.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) depth = selection.selectionSet ? 1 + selectionDepth(context, selection.selectionSet, visiting, budget - 1) : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) depth = selectionDepth(context, selection.selectionSet, visiting, budget);
    else {
      const name = selection.name.value;
      const fragment = fragmentOf(context, name);
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      depth = selectionDepth(context, fragment.selectionSet, visiting, budget);
      visiting.delete(name);
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = selectionDepth(context, node.selectionSet, new Set(), maxDepth + 1);
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`query depth exceeds the limit of ${maxDepth} nested selections${node.name ? ` in operation ${node.name.value}` : ''}`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', limit: maxDepth },
          }),
        );
      }
      return false; // nothing below needs visiting by this rule
    },
  });
}

function pageFactor(field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined, options: CostOptions): number | undefined {
  const pageArgs = definition?.args.filter((a) => a.name === 'first' || a.name === 'last') ?? [];
  if (pageArgs.length === 0) return undefined;
  let factor: number | undefined;
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    const value = arg.value;
    const n = value.kind === Kind.INT ? Number(value.value) : value.kind === Kind.VARIABLE ? options.maxPageSize : options.defaultPageSize;
    factor = Math.max(factor ?? 0, Math.min(Math.max(n, 0), options.maxPageSize));
  }
  return factor ?? options.defaultPageSize;
}

function isObjectList(type: GraphQLOutputType): boolean {
  const nullable = getNullableType(type);
  return nullable instanceof GraphQLList && isCompositeType(getNamedType(nullable));
}

function fieldsOf(type: GraphQLCompositeType | undefined): Record<string, GraphQLField<unknown, unknown>> {
  return type && 'getFields' in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};
}

function selectionCost(
  context: ValidationContext,
  set: SelectionSetNode | undefined,
  type: GraphQLCompositeType | undefined,
  multiplier: number,
  inPage: boolean,
  visiting: Visiting,
  options: CostOptions,
  level = 0,
): number {
  if (!set) return 0;
  // Nesting this deep is refused by the depth rule; the estimate only needs to say "too much".
  if (level > MAX_COST_LEVELS) return options.maxCost + 1;
  const schema = context.getSchema();
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += multiplier;
      if (!selection.selectionSet) continue;
      const definition = fieldsOf(type)[selection.name.value];
      const childType = definition && isCompositeType(getNamedType(definition.type)) ? (getNamedType(definition.type) as GraphQLCompositeType) : undefined;
      const page = pageFactor(selection, definition, options);
      // The edges of a page are the page (counted once); other lists of objects are estimated.
      const factor = page ?? (definition && isObjectList(definition.type) && !inPage ? LIST_FACTOR : 1);
      cost += selectionCost(context, selection.selectionSet, childType, multiplier * factor, page !== undefined, visiting, options, level + 1);
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? undefined : fragmentOf(context, selection.name.value);
      const subset = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragment?.selectionSet;
      const condition = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition : fragment?.typeCondition;
      const named = condition ? schema.getType(condition.name.value) : type;
      const subType = named && isCompositeType(named) ? named : type;
      const key = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
      if (key !== undefined && (visiting.has(key) || !fragment)) continue;
      if (key !== undefined) visiting.add(key);
      cost += selectionCost(context, subset, subType, multiplier, inPage, visiting, options, level + 1);
      if (key !== undefined) visiting.delete(key);
    }
    if (cost > options.maxCost) return cost; // already refused; a hostile document may be huge
  }
  return cost;
}

export function costLimitRule(options: CostOptions): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const schema = context.getSchema();
      const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      const cost = selectionCost(context, node.selectionSet, root ?? undefined, 1, false, new Set(), options);
      if (cost > options.maxCost) {
        context.reportError(
          new GraphQLError(`query cost exceeds the limit of ${options.maxCost} (fields times the page sizes of the lists around them; ask for smaller pages or fewer fields)`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COSTLY', limit: options.maxCost },
          }),
        );
      }
      return false;
    },
  });
}

/** Tokens a document may have: parsing stops beyond this (bounds parse time and nesting). */
export const MAX_TOKENS = 20_000;
