import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrierBound, spanningTree } from '../../../src/engine/landscape';
import { chainMinima, chainPaths, minimum, path } from './fixtures';

const tree = spanningTree(chainMinima, chainPaths); // tree A -p1(1)- B -p2(2)- C -p4(3)- D

test('the bound between two minima is the highest edge on their tree chain', () => {
  const ad = barrierBound(tree, 'A', 'D')!;
  assert.equal(ad.energy, 3);
  assert.equal(ad.highestEdge?.pathId, 'p4');
  assert.deepEqual(ad.chain.map((e) => e.pathId), ['p1', 'p2', 'p4']);
  assert.deepEqual(barrierBound(tree, 'D', 'A')!.chain.map((e) => e.pathId), ['p4', 'p2', 'p1']);
  // A-C: the direct path p3 is at 5, the concatenation p1 + p2 at 2.
  const ac = barrierBound(tree, 'A', 'C')!;
  assert.equal(ac.energy, 2);
  assert.equal(ac.highestEdge?.pathId, 'p2');
});

test('a minimum with itself: its own energy and an empty chain; unknown energy gives null', () => {
  assert.deepEqual(barrierBound(tree, 'B', 'B'), { a: 'B', b: 'B', energy: 0.2, highestEdge: null, chain: [] });
  const unknown = spanningTree([minimum('X', null)], []);
  assert.equal(barrierBound(unknown, 'X', 'X'), null);
});

test('different components have no bound; unknown ids are refused', () => {
  const forest = spanningTree([minimum('A', 0), minimum('B', 0), minimum('C', 0)], [path('ab', 'A', 'B', 1)]);
  assert.equal(barrierBound(forest, 'A', 'C'), null);
  assert.throws(() => barrierBound(forest, 'A', 'Q'), /b: unknown minimum "Q"/);
});

test('equally high edges: the later in Kruskal order (larger path id) is named', () => {
  const t = spanningTree([minimum('A', 0), minimum('B', 0), minimum('C', 0)], [path('y', 'A', 'B', 2), path('x', 'B', 'C', 2)]);
  assert.equal(barrierBound(t, 'A', 'C')!.highestEdge?.pathId, 'y');
});

test('the bounds form an ultrametric: bound(x, z) <= max(bound(x, y), bound(y, z))', () => {
  const names = chainMinima.map((m) => m.id);
  for (const x of names) for (const y of names) for (const z of names) {
    const [xz, xy, yz] = [barrierBound(tree, x, z)!, barrierBound(tree, x, y)!, barrierBound(tree, y, z)!];
    assert.ok(xz.energy <= Math.max(xy.energy, yz.energy), `${x} ${y} ${z}`);
  }
});
