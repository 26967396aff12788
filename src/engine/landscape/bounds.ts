/**
 * Ultrametric upper bounds (paper section 3.2): concatenating known paths gives a path whose
 * saddle is its highest saddle, so the lowest bound between two minima is the highest edge on
 * their spanning-tree chain.
 */
import { compareEdges, treeChain, type SpanningTree, type TreeEdge } from './spanning-tree';

export interface BarrierBound {
  readonly a: string;
  readonly b: string;
  /** Upper bound on the saddle energy between a and b (in the tree's weight key). */
  readonly energy: number;
  /** The edge that sets the bound; null for a == b. */
  readonly highestEdge: TreeEdge | null;
  /** The chain of paths realising the bound, from a to b; empty for a == b. */
  readonly chain: readonly TreeEdge[];
}

/**
 * The ultrametric bound between minima `a` and `b`; null when no bound is known: they lie in
 * different components, or a == b and the minimum's own energy is unknown.
 *
 * For a == b the bound is the minimum's own energy (the constant path at the minimum), with an
 * empty chain. This keeps the ultrametric inequality bound(a, c) <= max(bound(a, b), bound(b, c))
 * and bound(a, b) >= bound(a, a) for consistent data, where a saddle is never below its ends.
 * Among equally high edges on a chain, the highest in Kruskal's order (larger path id) is named.
 */
export function barrierBound(tree: SpanningTree, a: string, b: string): BarrierBound | null {
  const chain = treeChain(tree, a, b);
  if (chain === null) return null;
  if (chain.length === 0) {
    const energy = tree.minima.find((m) => m.id === a)!.energy;
    return energy === null ? null : { a, b, energy, highestEdge: null, chain };
  }
  const highestEdge = chain.reduce((high, e) => (compareEdges(e, high) > 0 ? e : high));
  return { a, b, energy: highestEdge.weight, highestEdge, chain };
}
