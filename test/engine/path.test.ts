import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/engine/errors';
import { cumulativeLengths, densePoints, evaluateDense, pivotEnergies, pivotPositions, pointAt, redistributeEqually, saddleOf } from '../../src/engine/path';
import { close, closeVector, FunctionEnergy } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);
// An L-shaped path: (0,0) -> (3,0) -> (3,4): lengths 3 and 4, total 7.
const L = [v(0, 0), v(3, 0), v(3, 4)];

test('arc length and pivot positions of an L-shaped path (by hand: 0, 3/7, 1)', () => {
  assert.deepEqual(cumulativeLengths(L), [0, 3, 7]);
  assert.deepEqual(pivotPositions(L), [0, 3 / 7, 1]);
  assert.deepEqual(pivotPositions([v(1, 1), v(1, 1), v(1, 1)]), [0, 0.5, 1], 'zero length: equal fractions, no NaN');
});

test('pointAt follows arc length across the corner', () => {
  closeVector(pointAt(L, 0), [0, 0], 0);
  closeVector(pointAt(L, 1), [3, 4], 0);
  closeVector(pointAt(L, 1.5 / 7), [1.5, 0], 1e-6);
  closeVector(pointAt(L, 3 / 7), [3, 0], 1e-6);
  closeVector(pointAt(L, 5 / 7), [3, 2], 1e-6);
  closeVector(pointAt([v(0, 0), v(0, 0), v(2, 0)], 0.5), [1, 0], 1e-7); // coincident pivots skipped
  assert.throws(() => pointAt(L, 1.2), InvalidInputError);
  assert.throws(() => pointAt(L, NaN), /t: must be in \[0, 1\]/);
});

test('dense points: pivots plus k points per segment, t by arc length', () => {
  const { points, t } = densePoints(L, 1);
  assert.equal(points.length, 5);
  closeVector(points[1], [1.5, 0], 0);
  closeVector(points[3], [3, 2], 0);
  closeVector(t, [0, 1.5 / 7, 3 / 7, 5 / 7, 1], 1e-12);
});

test('dense evaluation, pivot energies and the saddle (highest sample, its t and point)', async () => {
  // E = y - (x - 3)^2 on the L path: samples 0 -> -9, (1.5,0) -> -2.25, (3,0) -> 0, (3,2) -> 2, (3,4) -> 4
  const energy = new FunctionEnergy('e', 2, (p) => p[1] - (p[0] - 3) ** 2, () => [0, 0]);
  const profile = await evaluateDense(energy, L, 1);
  assert.deepEqual(profile.energy, [-9, -2.25, 0, 2, 4]);
  assert.deepEqual(pivotEnergies(profile), [-9, 0, 4]);
  const saddle = saddleOf(L, profile);
  assert.equal(saddle.energy, 4);
  assert.equal(saddle.t, 1);
  closeVector(saddle.point, [3, 4], 0);
  const bump = new FunctionEnergy('bump', 2, (p) => -((p[0] - 3) ** 2) - (p[1] - 2) ** 2, () => [0, 0]);
  const s2 = saddleOf(L, await evaluateDense(bump, L, 1));
  close(s2.t, 5 / 7, 1e-12, 't');
  closeVector(s2.point, pointAt(L, s2.t), 1e-6);
  const nan = new FunctionEnergy('nan', 2, (p) => (p[0] > 2 ? NaN : 0), () => [0, 0]);
  await assert.rejects(evaluateDense(nan, L, 1), /non-finite loss/);
});

test('redistribution to equal arc length (string method), with a fixed climbing pivot', () => {
  // Pivots bunched near the start of the L: equal spacing puts them at s = 7/4, 7/2, 21/4.
  const bunched = [v(0, 0), v(0.5, 0), v(1, 0), v(3, 0), v(3, 4)];
  const even = redistributeEqually(bunched);
  closeVector(even[1], [1.75, 0], 1e-6);
  closeVector(even[2], [3, 0.5], 1e-6);
  closeVector(even[3], [3, 2.25], 1e-6);
  closeVector(even[0], [0, 0], 0);
  closeVector(even[4], [3, 4], 0);
  // Pivot 2 fixed: pivot 1 halves [(0,0), (1,0)]; pivot 3 halves (1,0) -> (3,0) -> (3,4) (length 6).
  const anchored = redistributeEqually(bunched, [2]);
  closeVector(anchored[1], [0.5, 0], 1e-6);
  closeVector(anchored[2], [1, 0], 0);
  closeVector(anchored[3], [3, 1], 1e-6);
  // Coincident pivots: no NaN.
  const flat = redistributeEqually([v(0, 0), v(0, 0), v(0, 0), v(0, 0)]);
  assert.ok(flat.every((p) => p.every(Number.isFinite)));
});
