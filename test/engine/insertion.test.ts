import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equalInsertion, highestInsertion, insertPivots, segmentResiduals } from '../../src/engine/autoneb/insertion';
import type { DenseProfile } from '../../src/engine/path';
import { closeVector } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);

test('equal: count pivots per segment at j / (count + 1); 2 endpoints become 5 pivots', () => {
  const ends = [v(0, 0), v(4, 8)];
  const plan = equalInsertion(ends, null, { strategy: 'equal', count: 3 });
  assert.deepEqual(plan, [[0.25, 0.5, 0.75]]);
  const { pivots, inserted, origins } = insertPivots(ends, plan);
  assert.equal(pivots.length, 5);
  closeVector(pivots[1], [1, 2], 0);
  closeVector(pivots[2], [2, 4], 0);
  closeVector(pivots[3], [3, 6], 0);
  assert.deepEqual(inserted, [1, 2, 3]);
  assert.deepEqual(origins[2], { left: 0, right: 1, alpha: 0.5 });
});

// Pivots at x = 0, 1, 2, 3 with energies 0, 4, 2, 1 and 3 dense points per segment
// (fractions 1/4, 1/2, 3/4). Residuals over the linear interpolation, by hand:
//   segment 0: samples 1, 2.5, 3 vs 1, 2, 3       -> 0, 0.5, 0     (max 0.5 at 1/2)
//   segment 1: samples 5, 3.2, 2.5 vs 3.5, 3, 2.5 -> 1.5, 0.2, 0   (max 1.5 at 1/4)
//   segment 2: samples 1.75, 2.5, 1.5 vs 1.75, 1.5, 1.25 -> 0, 1, 0.25 (max 1 at 1/2)
// Pivot energy range: 4 - 0 = 4.
const pivots = [v(0), v(1), v(2), v(3)];
const profile: DenseProfile = {
  pointsPerSegment: 3,
  t: Array.from({ length: 13 }, (_, i) => i / 12),
  energy: [0, 1, 2.5, 3, 4, 5, 3.2, 2.5, 2, 1.75, 2.5, 1.5, 1],
};

test('residuals per segment match the hand computation', () => {
  const r = segmentResiduals(4, profile);
  assert.deepEqual(r.map((s) => s.alpha), [0.5, 0.25, 0.5]);
  r.map((s) => s.residual).forEach((x, i) => assert.ok(Math.abs(x - [0.5, 1.5, 1][i]) < 1e-12));
});

test('highest: at most count pivots, largest residuals above threshold * range, at the residual peak', () => {
  const plan = (count: number, threshold: number) => highestInsertion(pivots, profile, { strategy: 'highest', count, threshold });
  // threshold 0.1 -> 0.4: all three segments qualify; count 2 keeps segments 1 and 2.
  assert.deepEqual(plan(2, 0.1), [[], [0.25], [0.5]]);
  assert.deepEqual(plan(3, 0.1), [[0.5], [0.25], [0.5]]);
  // threshold 0.125 -> 0.5: segment 0's residual 0.5 is not above it.
  assert.deepEqual(plan(3, 0.125), [[], [0.25], [0.5]]);
  // threshold 0.3 -> 1.2: only segment 1.
  assert.deepEqual(plan(2, 0.3), [[], [0.25], []]);
  assert.deepEqual(plan(2, 0.5), [[], [], []]);
  const { pivots: next, inserted } = insertPivots(pivots, plan(2, 0.1));
  assert.deepEqual(next.map((p) => p[0]), [0, 1, 1.25, 2, 2.5, 3]);
  assert.deepEqual(inserted, [2, 4]);
});

test('highest needs a matching profile; bad plans are rejected', () => {
  assert.throws(() => highestInsertion(pivots, null, { strategy: 'highest', count: 1, threshold: 0.1 }), /profile/);
  assert.throws(() => highestInsertion(pivots.slice(1), profile, { strategy: 'highest', count: 1, threshold: 0.1 }), /profile: has 13 samples, expected 9/);
  assert.throws(() => insertPivots(pivots, [[0.5]]), /plan: has 1 segments/);
  assert.throws(() => insertPivots(pivots, [[0.5, 0.4], [], []]), /plan\[0\]/);
  assert.throws(() => insertPivots(pivots, [[1], [], []]), /plan\[0\]/);
});
