/**
 * Minimum spanning tree (forest) of the minima, weighted by saddle energy (paper section 3.2).
 * Any concatenation of paths bounds the saddle energy between its ends by its highest saddle, so
 * the lowest such bound for every pair lives on the minimum spanning tree, and a path that is
 * higher than the tree chain between its ends can be ignored ("dominated").
 */
import { byEnergy, compareIds, componentsOf, finiteOrNull, indexMinima, validatePaths } from './graph';
import { UnionFind } from './union-find';
import { LandscapeInputError, type MinimumRecord, type PathRecord, type WeightKey } from './types';

/** A path in the tree: the edge between minima `a` and `b`, weighted by its saddle value. */
export interface TreeEdge {
  readonly pathId: string;
  readonly a: string;
  readonly b: string;
  readonly weight: number;
}

/** A usable path that Kruskal did not take, because the tree already joins its ends. */
export interface OffTreePath extends TreeEdge {
  /** Highest weight on the tree chain between a and b: the best known bound for the pair. */
  readonly bound: number;
  /** The tree chain from a to b. */
  readonly chain: readonly TreeEdge[];
  /** weight > bound: the concatenation `chain` beats this path. Equal weight (a tie) is not dominated. */
  readonly dominated: boolean;
}

/** A path left out of the tree altogether. */
export interface ExcludedPath {
  readonly pathId: string;
  /** `unfinished`: `finished: false`; `no-weight`: the saddle value of the weight key is missing or not finite. */
  readonly reason: 'unfinished' | 'no-weight';
}

export interface TreeMinimum {
  readonly id: string;
  /** The minimum's own value of the weight key (null if unknown). */
  readonly energy: number | null;
}

export interface SpanningTree {
  readonly weightKey: WeightKey;
  /** All minima, in input order. */
  readonly minima: readonly TreeMinimum[];
  /** Tree edges in the order Kruskal took them: ascending (weight, path id). */
  readonly edges: readonly TreeEdge[];
  /** Usable paths not in the tree, in Kruskal order. */
  readonly offTree: readonly OffTreePath[];
  readonly excluded: readonly ExcludedPath[];
  /**
   * Connected components (one tree each). Members lowest first (energy, then id; unknown energy
   * last); components ordered by their lowest member, so the global minimum's comes first.
   */
  readonly components: readonly (readonly string[])[];
}

/** Kruskal's order, also the meaning of "higher edge" everywhere: weight, then path id. */
export function compareEdges(e: TreeEdge, f: TreeEdge): number {
  return e.weight !== f.weight ? (e.weight < f.weight ? -1 : 1) : compareIds(e.pathId, f.pathId);
}

/**
 * Minimum spanning forest by Kruskal with union-find. Candidate edges are the finished paths
 * with a finite saddle value of `weightKey`; ties are broken by path id (code-unit order), so the
 * result does not depend on the input order of the paths.
 */
export function spanningTree(
  minima: readonly MinimumRecord[],
  paths: readonly PathRecord[],
  weightKey: WeightKey = 'trainLoss',
): SpanningTree {
  const index = indexMinima(minima);
  validatePaths(paths, index);

  const candidates: TreeEdge[] = [];
  const excluded: ExcludedPath[] = [];
  for (const p of paths) {
    const weight = finiteOrNull(p.saddle?.[weightKey]);
    if (p.finished === false) excluded.push({ pathId: p.id, reason: 'unfinished' });
    else if (weight === null) excluded.push({ pathId: p.id, reason: 'no-weight' });
    else candidates.push({ pathId: p.id, a: p.a, b: p.b, weight });
  }
  candidates.sort(compareEdges);

  const sets = new UnionFind(minima.length);
  const edges: TreeEdge[] = [];
  const rejected: TreeEdge[] = [];
  for (const e of candidates) {
    if (sets.union(index.get(e.a)!, index.get(e.b)!)) edges.push(e);
    else rejected.push(e);
  }

  const treeMinima = minima.map((m) => ({ id: m.id, energy: finiteOrNull(m[weightKey]) }));
  const partial = { weightKey, minima: treeMinima, edges };
  const offTree = rejected.map((e): OffTreePath => {
    const chain = treeChain(partial, e.a, e.b)!;
    const bound = Math.max(...chain.map((c) => c.weight));
    return { ...e, bound, chain, dominated: e.weight > bound };
  });

  const rootOf = (id: string) => sets.find(index.get(id)!);
  const components = componentsOf(minima.map((m) => m.id), rootOf, byEnergy(minima, weightKey));

  return { ...partial, offTree, excluded, components };
}

type TreeShape = Pick<SpanningTree, 'minima' | 'edges'>;
const adjacencyCache = new WeakMap<object, Map<string, TreeEdge[]>>();

function adjacency(tree: TreeShape): Map<string, TreeEdge[]> {
  let adj = adjacencyCache.get(tree.edges);
  if (!adj) {
    adj = new Map(tree.minima.map((m) => [m.id, [] as TreeEdge[]]));
    for (const e of tree.edges) {
      adj.get(e.a)?.push(e);
      adj.get(e.b)?.push(e);
    }
    adjacencyCache.set(tree.edges, adj);
  }
  return adj;
}

/**
 * The tree edges on the way from minimum `a` to minimum `b`, in walking order; `[]` for a == b,
 * null when they lie in different components. Throws for unknown ids.
 */
export function treeChain(tree: TreeShape, a: string, b: string): TreeEdge[] | null {
  const adj = adjacency(tree);
  for (const [field, id] of [['a', a], ['b', b]] as const) {
    if (!adj.has(id)) throw new LandscapeInputError(field, `unknown minimum "${id}"`);
  }
  // Walk from a, remembering the edge by which each minimum was reached.
  const via = new Map<string, TreeEdge | null>([[a, null]]);
  const queue = [a];
  for (let head = 0; head < queue.length && !via.has(b); head++) {
    const here = queue[head];
    for (const e of adj.get(here)!) {
      const next = e.a === here ? e.b : e.a;
      if (!via.has(next)) {
        via.set(next, e);
        queue.push(next);
      }
    }
  }
  if (!via.has(b)) return null;
  const chain: TreeEdge[] = [];
  for (let at = b; at !== a; ) {
    const e = via.get(at)!;
    chain.push(e);
    at = e.a === at ? e.b : e.a;
  }
  return chain.reverse();
}

/** The two sides of the tree once `edge` is taken out: side `a` holds edge.a, side `b` holds edge.b. */
export function splitAt(tree: TreeShape, edge: TreeEdge): { a: string[]; b: string[] } {
  const adj = adjacency(tree);
  const side = (start: string): string[] => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length > 0) {
      const here = stack.pop()!;
      for (const e of adj.get(here)!) {
        if (e.pathId === edge.pathId) continue;
        const next = e.a === here ? e.b : e.a;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return [...seen];
  };
  return { a: side(edge.a), b: side(edge.b) };
}
