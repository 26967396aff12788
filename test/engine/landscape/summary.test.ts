import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summary, type MinimumRecord, type PathRecord } from '../../../src/engine/landscape';

const close = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

const minima: MinimumRecord[] = [
  { id: 'A', trainLoss: 0.01, testLoss: 0.3, trainError: 0, testError: 8 },
  { id: 'B', trainLoss: 0.03, testLoss: 0.4, trainError: 0.1, testError: 9 },
  { id: 'C', trainLoss: 0.02, testLoss: null, testError: 10 },
];
const paths: PathRecord[] = [
  { id: 'p1', a: 'A', b: 'B', saddle: { trainLoss: 0.05, testLoss: 0.5, testError: 10 }, linearBarrier: { trainLoss: 1, testLoss: 2, testError: 40 } },
  { id: 'p2', a: 'B', b: 'C', saddle: { trainLoss: 0.07, testLoss: 0.6, testError: 11 }, linearBarrier: { trainLoss: 3, testLoss: 4, testError: 60 } },
  { id: 'p3', a: 'A', b: 'C', saddle: { trainLoss: 0.2, testLoss: 0.9, testError: 30 }, linearBarrier: { trainLoss: 5, testLoss: null, testError: 80 } },
];
const treeEdges = [{ pathId: 'p1' }, { pathId: 'p2' }];

test('Table 1 row: means of minima and tree saddles, factor, test-error rise', () => {
  const s = summary(minima, treeEdges, paths);
  // Minima: train (.01 + .03 + .02) / 3 = .02; test (.3 + .4) / 2 = .35 (C has none);
  // train error (0 + .1) / 2 = .05; test error (8 + 9 + 10) / 3 = 9.
  close(s.minima.trainLoss, 0.02);
  close(s.minima.testLoss, 0.35);
  close(s.minima.trainError, 0.05);
  close(s.minima.testError, 9);
  assert.deepEqual(s.minima.counts, { trainLoss: 3, testLoss: 2, trainError: 2, testError: 3 });
  // Tree saddles p1, p2: train .06, test .55, test error 10.5; no train error.
  close(s.saddles.trainLoss, 0.06);
  close(s.saddles.testLoss, 0.55);
  close(s.saddles.testError, 10.5);
  assert.equal(s.saddles.trainError, null);
  assert.equal(s.saddles.counts.trainError, 0);
  close(s.trainLossFactor, 3); // .06 / .02
  close(s.testErrorRise, 1.5); // 10.5 - 9
});

test('linear-interpolation barriers: over the tree paths and over all paths', () => {
  const { tree, all } = summary(minima, treeEdges, paths).linearBarrier;
  // Tree p1, p2: (1 + 3) / 2 = 2, (2 + 4) / 2 = 3, (40 + 60) / 2 = 50.
  assert.deepEqual([tree.trainLoss, tree.testLoss, tree.testError], [2, 3, 50]);
  // All: (1 + 3 + 5) / 3 = 3; test loss (2 + 4) / 2 = 3 (p3 has none); (40 + 60 + 80) / 3 = 60.
  assert.deepEqual([all.trainLoss, all.testLoss, all.testError, all.counts.testLoss], [3, 3, 60, 2]);
});

test('missing values give null, never NaN or a division by zero', () => {
  const empty = summary(minima, [], paths);
  assert.equal(empty.saddles.trainLoss, null);
  assert.equal(empty.trainLossFactor, null);
  assert.equal(empty.testErrorRise, null);
  const perfect = summary([{ id: 'A', trainLoss: 0 }, { id: 'B', trainLoss: 0 }], [{ pathId: 'p1' }], paths);
  assert.equal(perfect.trainLossFactor, null); // minima mean 0
  assert.equal(perfect.testErrorRise, null); // minima have no test error
  const nothing = summary([], [], []);
  assert.equal(nothing.minima.testLoss, null);
  assert.equal(nothing.linearBarrier.all.trainLoss, null);
});

test('a tree edge naming an unknown path is refused', () => {
  assert.throws(() => summary(minima, [{ pathId: 'zz' }], paths), /treeEdges\[0\]\.pathId: path "zz" not in paths/);
});
