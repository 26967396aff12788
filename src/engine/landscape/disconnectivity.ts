/**
 * Single-linkage merge tree of the minima by saddle energy: the data of a disconnectivity graph.
 * Kruskal's order over the spanning-tree edges is exactly single-linkage clustering (Gower & Ross
 * 1969): each edge merges two clusters at its weight.
 */
import { byEnergy, finiteOrNull, indexMinima } from './graph';
import { compareEdges, type SpanningTree } from './spanning-tree';
import { UnionFind } from './union-find';
import { LandscapeInputError, type MinimumRecord } from './types';

export interface DisconnectivityLeaf {
  readonly kind: 'minimum';
  /** Index as in `linkage`: the minimum's position in the input `minima`. */
  readonly index: number;
  readonly id: string;
  /** The minimum's own value of the tree's weight key (null if unknown). */
  readonly energy: number | null;
  readonly size: 1;
}

export interface DisconnectivityMerge {
  readonly kind: 'merge';
  /** n + row of this merge in `linkage`. */
  readonly index: number;
  /** Saddle energy at which the two clusters join (the tree edge's weight, not clamped). */
  readonly height: number;
  /** Number of minima below. */
  readonly size: number;
  /** The path whose saddle joins them. */
  readonly pathId: string;
  /** The two clusters, lower index first. */
  readonly children: readonly [DisconnectivityNode, DisconnectivityNode];
}

export type DisconnectivityNode = DisconnectivityLeaf | DisconnectivityMerge;

export interface Disconnectivity {
  /** Leaf ids by index (the input order of `minima`). */
  readonly leaves: readonly string[];
  /**
   * One root per component, ordered like `tree.components` (the lowest minimum's first). A
   * connected landscape has exactly one.
   */
  readonly roots: readonly DisconnectivityNode[];
  /**
   * Rows [nodeA, nodeB, height, size] as in scipy's `linkage`: leaves are 0..n-1, row i creates
   * node n+i; rows in ascending height (Kruskal order), nodeA < nodeB. A forest has fewer than
   * n-1 rows (scipy itself needs a connected tree).
   */
  readonly linkage: readonly (readonly [number, number, number, number])[];
}

export function disconnectivity(minima: readonly MinimumRecord[], tree: SpanningTree): Disconnectivity {
  const index = indexMinima(minima);
  const n = minima.length;
  const nodes: DisconnectivityNode[] = minima.map((m, i) => ({
    kind: 'minimum',
    index: i,
    id: m.id,
    energy: finiteOrNull(m[tree.weightKey]),
    size: 1,
  }));
  const sets = new UnionFind(n);
  const clusterOf = new Map<number, number>(minima.map((_, i) => [i, i])); // set root -> node index
  const linkage: [number, number, number, number][] = [];

  [...tree.edges].sort(compareEdges).forEach((edge, k) => {
    const ends = [edge.a, edge.b].map((id, side) => {
      const i = index.get(id);
      if (i === undefined) throw new LandscapeInputError(`tree.edges[${k}].${side === 0 ? 'a' : 'b'}`, `minimum "${id}" not in minima`);
      return i;
    });
    const [ra, rb] = ends.map((i) => sets.find(i));
    if (ra === rb) throw new LandscapeInputError(`tree.edges[${k}]`, `path "${edge.pathId}" closes a cycle; not a spanning tree`);
    const [x, y] = [clusterOf.get(ra)!, clusterOf.get(rb)!].sort((p, q) => p - q);
    const size = nodes[x].size + nodes[y].size;
    const merged: DisconnectivityMerge = { kind: 'merge', index: nodes.length, height: edge.weight, size, pathId: edge.pathId, children: [nodes[x], nodes[y]] };
    linkage.push([x, y, edge.weight, size]);
    nodes.push(merged);
    sets.union(ra, rb);
    clusterOf.set(sets.find(ra), merged.index);
  });

  const lowestFirst = byEnergy(minima, tree.weightKey);
  const lowestLeaf = new Map<number, string>(); // root node index -> its lowest minimum
  minima.forEach((m, i) => {
    const root = clusterOf.get(sets.find(i))!;
    const current = lowestLeaf.get(root);
    if (current === undefined || lowestFirst(m.id, current) < 0) lowestLeaf.set(root, m.id);
  });
  const roots = [...lowestLeaf.keys()].sort((p, q) => lowestFirst(lowestLeaf.get(p)!, lowestLeaf.get(q)!)).map((r) => nodes[r]);
  return { leaves: minima.map((m) => m.id), roots, linkage };
}
