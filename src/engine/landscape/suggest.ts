/**
 * Which pairs of minima to connect next. Strategies are plain functions with one signature,
 * resolved by name from a registry, as in the authors' torch_autoneb `suggest.py`:
 *
 * - `unfinished`: resume paths whose AutoNEB run did not finish, then pairs never tried (as `lowest`).
 * - `lowest`: pairs never tried, the lowest minima first ((m0,m1), (m0,m2), ..., (m1,m2), ...).
 * - `disconnected`: join every other component to the component of the lowest minimum, by the
 *   lowest untried pair between them; from scratch this is algorithm 3's initial star.
 * - `mst`: algorithm 3's step: take out the highest tree edge, join the two trees left by an
 *   untried pair (lowest minima first); if every pair across is known, ignore that edge and go on
 *   with the next-highest.
 */
import { byEnergy, componentsOf, indexMinima, knownPairs, pairKey, validatePaths } from './graph';
import { compareEdges, spanningTree, splitAt, type SpanningTree, type TreeEdge } from './spanning-tree';
import { UnionFind } from './union-find';
import { namedTable } from '../strategies';
import { LandscapeInputError, type MinimumRecord, type PathRecord, type Quantity, type WeightKey } from './types';

export type Pair = readonly [string, string];

export type PairReason = 'unfinished-path' | 'untried-pair' | 'initial-star' | 'connect-components' | 'split-highest-edge';

export interface PairSuggestion {
  /** The lower of the two minima (in the energy order of `valueKey`). */
  readonly a: string;
  readonly b: string;
  readonly reason: PairReason;
  /** `unfinished-path`: the path to resume. */
  readonly pathId?: string;
  /** `split-highest-edge`: the tree edge that was taken out; the new path replaces it if lower. */
  readonly replaces?: TreeEdge;
}

export interface SuggestOptions {
  /** Most suggestions to return (default 1). */
  readonly limit?: number;
  /** Saddle value that weights the spanning tree (default `trainLoss`). */
  readonly weightKey?: WeightKey;
  /** Value of a minimum that ranks minima "lowest first" (default: the weight key). */
  readonly valueKey?: Quantity;
  /** Pairs being computed now: known, and expected to connect their minima. */
  readonly pending?: Iterable<Pair>;
  /** Pairs tried without a usable path: known, but connecting nothing. */
  readonly failed?: Iterable<Pair>;
  /** `mst`: tree edges (path ids) already marked ignored, never taken out. */
  readonly ignoredPathIds?: Iterable<string>;
}

/** Everything a strategy sees, prepared once. */
export interface LandscapeGraph {
  readonly minima: readonly MinimumRecord[];
  readonly paths: readonly PathRecord[];
  readonly tree: SpanningTree;
  /** Pairs with a known path, pending or failed (see `pairKey`). */
  readonly known: ReadonlySet<string>;
  readonly pending: readonly Pair[];
  /** Components when unfinished paths and pending pairs are counted as connections; lowest first. */
  readonly reach: readonly (readonly string[])[];
  readonly lowestFirst: (x: string, y: string) => number;
  readonly ignoredPathIds: ReadonlySet<string>;
  readonly limit: number;
}

export type PairStrategy = (graph: LandscapeGraph) => PairSuggestion[];

export function landscapeGraph(
  minima: readonly MinimumRecord[],
  paths: readonly PathRecord[],
  options: SuggestOptions = {},
): LandscapeGraph {
  const limit = options.limit ?? 1;
  if (!Number.isInteger(limit) || limit < 0) throw new LandscapeInputError('limit', `must be a non-negative integer, got ${limit}`);
  const weightKey = options.weightKey ?? 'trainLoss';
  const index = indexMinima(minima);
  validatePaths(paths, index);
  const pending = [...(options.pending ?? [])];
  const failed = [...(options.failed ?? [])];
  for (const [field, pairs] of [['pending', pending], ['failed', failed]] as const) {
    pairs.forEach(([a, b], i) => {
      if (!index.has(a) || !index.has(b) || a === b) throw new LandscapeInputError(`${field}[${i}]`, `not a pair of two known minima: ${JSON.stringify([a, b])}`);
    });
  }
  const tree = spanningTree(minima, paths, weightKey);
  const lowestFirst = byEnergy(minima, options.valueKey ?? weightKey);

  const sets = new UnionFind(minima.length);
  const join = (a: string, b: string) => sets.union(index.get(a)!, index.get(b)!);
  for (const e of tree.edges) join(e.a, e.b);
  for (const p of paths) if (p.finished === false) join(p.a, p.b);
  for (const [a, b] of pending) join(a, b);
  const reach = componentsOf(minima.map((m) => m.id), (id) => sets.find(index.get(id)!), lowestFirst);

  return {
    minima,
    paths,
    tree,
    known: knownPairs(paths, [...pending, ...failed]),
    pending,
    reach,
    lowestFirst,
    ignoredPathIds: new Set(options.ignoredPathIds ?? []),
    limit,
  };
}

/** First untried pair (x, y), x from `from`, y from `to`, both sorted lowest first: x varies slowest. */
function firstUntried(graph: LandscapeGraph, from: readonly string[], to: readonly string[]): [string, string] | null {
  for (const x of from) for (const y of to) if (x !== y && !graph.known.has(pairKey(x, y))) return [x, y];
  return null;
}

/** Orients a pair lower minimum first. */
function lowerFirst(graph: LandscapeGraph, x: string, y: string): { a: string; b: string } {
  return graph.lowestFirst(x, y) <= 0 ? { a: x, b: y } : { a: y, b: x };
}

function untried(graph: LandscapeGraph, limit: number): PairSuggestion[] {
  const order = graph.minima.map((m) => m.id).sort(graph.lowestFirst);
  const out: PairSuggestion[] = [];
  for (let i = 0; i < order.length && out.length < limit; i++) {
    for (let j = i + 1; j < order.length && out.length < limit; j++) {
      if (!graph.known.has(pairKey(order[i], order[j]))) out.push({ a: order[i], b: order[j], reason: 'untried-pair' });
    }
  }
  return out;
}

const lowest: PairStrategy = (graph) => untried(graph, graph.limit);

const unfinished: PairStrategy = (graph) => {
  const out: PairSuggestion[] = [];
  const seen = new Set<string>();
  for (const p of graph.paths) {
    if (out.length >= graph.limit) return out;
    if (p.finished !== false || seen.has(pairKey(p.a, p.b))) continue;
    seen.add(pairKey(p.a, p.b));
    out.push({ ...lowerFirst(graph, p.a, p.b), reason: 'unfinished-path', pathId: p.id });
  }
  return [...out, ...untried(graph, graph.limit - out.length)];
};

const disconnected: PairStrategy = (graph) => {
  const [main, ...others] = graph.reach;
  const out: PairSuggestion[] = [];
  for (const component of others) {
    if (out.length >= graph.limit) break;
    const pair = firstUntried(graph, main, component);
    if (pair === null) continue;
    const star = pair[0] === main[0] && pair[1] === component[0];
    out.push({ ...lowerFirst(graph, pair[0], pair[1]), reason: star ? 'initial-star' : 'connect-components' });
  }
  return out;
};

/**
 * Algorithm 3's step for up to `limit` distinct tree edges, highest first (reverse Kruskal order:
 * weight, then path id). An edge is skipped when it is in `ignoredPathIds` or when a pending (or
 * already suggested) pair crosses it: that computation may replace it. Of the two sides, the one holding the
 * lower minimum gives the first element of the pair. Also returns the edges found exhausted.
 */
export function splitHighestEdges(graph: LandscapeGraph, limit: number): { suggestions: PairSuggestion[]; ignored: TreeEdge[] } {
  const suggestions: PairSuggestion[] = [];
  const ignored: TreeEdge[] = [];
  const highestFirst = [...graph.tree.edges].sort((e, f) => compareEdges(f, e));
  // Pairs suggested here claim their edge like pending ones, so no pair is suggested twice.
  const claimed: Pair[] = [...graph.pending];
  for (const edge of highestFirst) {
    if (suggestions.length >= limit) break;
    if (graph.ignoredPathIds.has(edge.pathId)) continue;
    const split = splitAt(graph.tree, edge);
    const sideOf = new Map([...split.a.map((id) => [id, 'a'] as const), ...split.b.map((id) => [id, 'b'] as const)]);
    const crossing = ([x, y]: Pair) => sideOf.has(x) && sideOf.has(y) && sideOf.get(x) !== sideOf.get(y);
    if (claimed.some(crossing)) continue;
    const sides = [split.a.sort(graph.lowestFirst), split.b.sort(graph.lowestFirst)];
    if (graph.lowestFirst(sides[0][0], sides[1][0]) > 0) sides.reverse();
    const pair = firstUntried(graph, sides[0], sides[1]);
    if (pair === null) ignored.push(edge);
    else {
      suggestions.push({ ...lowerFirst(graph, pair[0], pair[1]), reason: 'split-highest-edge', replaces: edge });
      claimed.push(pair);
    }
  }
  return { suggestions, ignored };
}

const mst: PairStrategy = (graph) => splitHighestEdges(graph, graph.limit).suggestions;

export const pairStrategies = Object.freeze({ unfinished, lowest, disconnected, mst } satisfies Record<string, PairStrategy>);
export type PairStrategyName = keyof typeof pairStrategies;

const PAIR_STRATEGIES = namedTable<PairStrategy>('pair strategy', pairStrategies);

export function getPairStrategy(name: string): PairStrategy {
  return PAIR_STRATEGIES.get(name, 'strategy');
}

/** The next pairs to connect by the named strategy. */
export function suggestPairs(
  strategy: PairStrategyName | string,
  minima: readonly MinimumRecord[],
  paths: readonly PathRecord[],
  options: SuggestOptions = {},
): PairSuggestion[] {
  return getPairStrategy(strategy)(landscapeGraph(minima, paths, options));
}
