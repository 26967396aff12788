import assert from 'node:assert/strict';
import { test } from 'node:test';
import { improvedTangent } from '../../src/engine/neb/tangent';
import { closeVector } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);
// prev (0,0), current (1,0), next (1,1): tau+ = (0,1), tau- = (1,0).
const [prev, cur, next] = [v(0, 0), v(1, 0), v(1, 1)];

test('monotone energies: the tangent points to the higher neighbour', () => {
  closeVector(improvedTangent(prev, cur, next, 0, 1, 2), [0, 1], 1e-7);
  closeVector(improvedTangent(prev, cur, next, 2, 1, 0), [1, 0], 1e-7);
});

test('at a maximum: tau+ dVmax + tau- dVmin when E+ > E- (Henkelman & Jonsson eq. 10)', () => {
  // E = (0, 3, 1): dVmax = 3, dVmin = 2, E+ > E- -> (0,3) + (2,0) = (2,3)/sqrt(13)
  closeVector(improvedTangent(prev, cur, next, 0, 3, 1), [2 / Math.sqrt(13), 3 / Math.sqrt(13)], 1e-7);
});

test('at a minimum: tau+ dVmin + tau- dVmax when E+ < E-', () => {
  // E = (2, 0, 1): dVmax = 2, dVmin = 1, E+ < E- -> (0,1) + (2,0) = (2,1)/sqrt(5)
  closeVector(improvedTangent(prev, cur, next, 2, 0, 1), [2 / Math.sqrt(5), 1 / Math.sqrt(5)], 1e-7);
});

test('flat region (equal energies) falls back to the central difference, no NaN', () => {
  closeVector(improvedTangent(prev, cur, next, 1, 1, 1), [Math.SQRT1_2, Math.SQRT1_2], 1e-7);
});

test('coincident pivots fall back to the central difference, then to the chord, then zero', () => {
  closeVector(improvedTangent(prev, cur, v(1, 0), 0, 1, 2), [1, 0], 1e-7);
  const p = v(2, 2);
  closeVector(improvedTangent(p, p, p, 0, 1, 2, v(3, 4)), [0.6, 0.8], 1e-7);
  const zero = improvedTangent(p, p, p, 1, 1, 1);
  assert.deepEqual(Array.from(zero), [0, 0]);
});
