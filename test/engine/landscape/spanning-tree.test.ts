import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LandscapeInputError, spanningTree, type PathRecord } from '../../../src/engine/landscape';
import { InvalidInputError } from '../../../src/engine/errors';
import { chainMinima, chainPaths, minimum, path } from './fixtures';

const ids = (edges: readonly { pathId: string }[]) => edges.map((e) => e.pathId);

test('Kruskal takes p1, p2, p4 in ascending order and names path and weight', () => {
  const tree = spanningTree(chainMinima, chainPaths);
  assert.equal(tree.weightKey, 'trainLoss');
  assert.deepEqual(tree.edges, [
    { pathId: 'p1', a: 'A', b: 'B', weight: 1 },
    { pathId: 'p2', a: 'B', b: 'C', weight: 2 },
    { pathId: 'p4', a: 'C', b: 'D', weight: 3 },
  ]);
  assert.deepEqual(tree.components, [['A', 'B', 'C', 'D']]);
  assert.deepEqual(tree.excluded, []);
});

test('a bad local path beaten by a concatenation is dominated; an equal one is only tied', () => {
  const tree = spanningTree(chainMinima, chainPaths);
  assert.deepEqual(ids(tree.offTree), ['p5', 'p3']); // Kruskal order: p5 (3) before p3 (5)
  const [p5, p3] = tree.offTree;
  // p3 A-C at 5: chain A-B-C over p1 (1), p2 (2) reaches at most 2 < 5.
  assert.equal(p3.dominated, true);
  assert.equal(p3.bound, 2);
  assert.deepEqual(ids(p3.chain), ['p1', 'p2']);
  // p5 B-D at 3: chain B-C-D over p2 (2), p4 (3) reaches 3: not strictly lower.
  assert.equal(p5.dominated, false);
  assert.equal(p5.bound, 3);
  assert.deepEqual(ids(p5.chain), ['p2', 'p4']);
});

test('ties are broken by path id, whatever the input order', () => {
  const reversed = spanningTree(chainMinima, [...chainPaths].reverse());
  assert.deepEqual(ids(reversed.edges), ['p1', 'p2', 'p4']);
  // Renaming p5 so it sorts before p4 makes Kruskal take it instead (B-D at 3, then C-D is tied).
  const renamed = chainPaths.map((p) => (p.id === 'p5' ? { ...p, id: 'p0' } : p));
  const tree = spanningTree(chainMinima, renamed);
  assert.deepEqual(ids(tree.edges), ['p1', 'p2', 'p0']);
  assert.deepEqual(
    tree.offTree.map((o) => [o.pathId, o.dominated]),
    [['p4', false], ['p3', true]],
  );
});

test('a parallel, higher path between the same minima is dominated by the lower one', () => {
  const tree = spanningTree([minimum('A', 0), minimum('B', 0)], [path('hi', 'A', 'B', 4), path('lo', 'A', 'B', 1)]);
  assert.deepEqual(ids(tree.edges), ['lo']);
  assert.equal(tree.offTree[0].pathId, 'hi');
  assert.equal(tree.offTree[0].dominated, true);
  assert.deepEqual(ids(tree.offTree[0].chain), ['lo']);
});

test('disconnected minima give a forest; unfinished and unweighted paths are excluded', () => {
  // A .5, B .1, C .3, D .2, E unknown. A-B 1, C-D 2; B-C unfinished; D-E without saddle.
  const minima = [minimum('A', 0.5), minimum('B', 0.1), minimum('C', 0.3), minimum('D', 0.2), minimum('E', null)];
  const paths: PathRecord[] = [
    path('ab', 'A', 'B', 1),
    path('cd', 'C', 'D', 2),
    path('bc', 'B', 'C', 0.5, { finished: false }),
    { id: 'de', a: 'D', b: 'E', saddle: null },
    path('ea', 'E', 'A', Number.NaN),
  ];
  const tree = spanningTree(minima, paths);
  assert.deepEqual(ids(tree.edges), ['ab', 'cd']);
  assert.deepEqual(tree.excluded, [
    { pathId: 'bc', reason: 'unfinished' },
    { pathId: 'de', reason: 'no-weight' },
    { pathId: 'ea', reason: 'no-weight' },
  ]);
  // Members lowest first; components by their lowest member: B (.1), D (.2), E (unknown, last).
  assert.deepEqual(tree.components, [['B', 'A'], ['D', 'C'], ['E']]);
  assert.deepEqual(tree.minima[4], { id: 'E', energy: null });
});

test('weighting by test loss gives the tree of the test-loss saddles', () => {
  // Triangle: AB train 1 / test 3, BC train 2 / test 1, AC train 3 / test 2.
  const minima = [minimum('A', 0), minimum('B', 0), minimum('C', 0)];
  const paths: PathRecord[] = [
    { id: 'ab', a: 'A', b: 'B', saddle: { trainLoss: 1, testLoss: 3 } },
    { id: 'bc', a: 'B', b: 'C', saddle: { trainLoss: 2, testLoss: 1 } },
    { id: 'ac', a: 'A', b: 'C', saddle: { trainLoss: 3, testLoss: 2 } },
  ];
  assert.deepEqual(ids(spanningTree(minima, paths).edges), ['ab', 'bc']);
  const byTest = spanningTree(minima, paths, 'testLoss');
  assert.deepEqual(ids(byTest.edges), ['bc', 'ac']);
  assert.equal(byTest.offTree[0].pathId, 'ab');
  assert.equal(byTest.offTree[0].bound, 2); // A-C-B: max(2, 1)
  assert.equal(byTest.offTree[0].dominated, true);
});

test('inconsistent input is refused with the field named', () => {
  assert.throws(() => spanningTree(chainMinima, [path('x', 'A', 'Z', 1)]), { name: 'LandscapeInputError', message: /paths\[0\]\.b: unknown minimum "Z"/ });
  assert.throws(
    () => spanningTree(chainMinima, [path('x', 'A', 'Z', 1)]),
    (e: unknown) => e instanceof InvalidInputError && e.field === 'paths[0].b', // one error type for every engine caller
  );
  assert.throws(() => spanningTree(chainMinima, [path('x', 'A', 'A', 1)]), /paths\[0\]\.b: path "x" joins minimum "A" to itself/);
  assert.throws(() => spanningTree([minimum('A', 0), minimum('A', 1)], []), /minima\[1\]\.id: repeated id "A"/);
  assert.throws(() => spanningTree(chainMinima, [path('x', 'A', 'B', 1), path('x', 'B', 'C', 1)]), LandscapeInputError);
});

test('no minima, no paths: an empty tree', () => {
  const tree = spanningTree([], []);
  assert.deepEqual([tree.edges, tree.components, tree.offTree], [[], [], []]);
});
