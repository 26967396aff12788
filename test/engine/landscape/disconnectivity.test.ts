import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disconnectivity, spanningTree, type DisconnectivityNode } from '../../../src/engine/landscape';
import { minimum, path } from './fixtures';

/** Leaves of a node, left to right. */
const leaves = (n: DisconnectivityNode): string[] => (n.kind === 'minimum' ? [n.id] : n.children.flatMap(leaves));

// Minima A .1, B .2, C .3, D .4, E .05 (E has no paths). Paths A-B 1, C-D 1.5, B-D 4, A-C 6.
// Single linkage: {A,B} at 1 (node 5), {C,D} at 1.5 (node 6), both at 4 (node 7); A-C at 6 is
// not in the tree. E stays alone: a forest of two roots, E's first (it is the lowest minimum).
const minima = [minimum('A', 0.1), minimum('B', 0.2), minimum('C', 0.3), minimum('D', 0.4), minimum('E', 0.05)];
const tree = spanningTree(minima, [path('pAB', 'A', 'B', 1), path('pCD', 'C', 'D', 1.5), path('pBD', 'B', 'D', 4), path('pAC', 'A', 'C', 6)]);

test('linkage rows as scipy: [nodeA, nodeB, height, size], leaves 0..n-1, row i makes node n+i', () => {
  const result = disconnectivity(minima, tree);
  assert.deepEqual(result.leaves, ['A', 'B', 'C', 'D', 'E']);
  assert.deepEqual(result.linkage, [
    [0, 1, 1, 2],
    [2, 3, 1.5, 2],
    [5, 6, 4, 4],
  ]);
});

test('nested tree: leaves at their own energy, merges at the saddle', () => {
  const { roots } = disconnectivity(minima, tree);
  assert.equal(roots.length, 2);
  assert.deepEqual(roots[0], { kind: 'minimum', index: 4, id: 'E', energy: 0.05, size: 1 });
  const top = roots[1];
  assert.ok(top.kind === 'merge');
  assert.deepEqual([top.index, top.height, top.size, top.pathId], [7, 4, 4, 'pBD']);
  const [ab, cd] = top.children;
  assert.ok(ab.kind === 'merge' && cd.kind === 'merge');
  assert.deepEqual([ab.height, ab.pathId, leaves(ab)], [1, 'pAB', ['A', 'B']]);
  assert.deepEqual([cd.height, cd.pathId, leaves(cd)], [1.5, 'pCD', ['C', 'D']]);
  assert.deepEqual(ab.children.map((c) => c.kind === 'minimum' && c.energy), [0.1, 0.2]);
});

test('a chain merges one minimum at a time; the child with the lower index comes first', () => {
  // D-C 1, C-B 2, B-A 3: D, C join first (node 4), then B (node 5), then A (node 6).
  const abcd = minima.slice(0, 4);
  const chain = spanningTree(abcd, [path('x', 'D', 'C', 1), path('y', 'C', 'B', 2), path('z', 'B', 'A', 3)]);
  const { linkage, roots } = disconnectivity(abcd, chain);
  assert.deepEqual(linkage, [
    [2, 3, 1, 2],
    [1, 4, 2, 3],
    [0, 5, 3, 4],
  ]);
  assert.deepEqual(leaves(roots[0]), ['A', 'B', 'C', 'D']);
});

test('a tree edge to a minimum not listed is refused', () => {
  assert.throws(() => disconnectivity(minima.slice(1), tree), /tree\.edges\[0\]\.a: minimum "A" not in minima/);
});
