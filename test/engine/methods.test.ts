import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/engine/errors';
import { getNebMethod, highestInteriorPivot } from '../../src/engine/neb/methods';
import { closeVector } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);
// Pivots (0,0), (1,0), (1,2); energies rise monotonically, so tau = (0,1) at pivot 1.
// Gradient at pivot 1 is (3,4): parallel part (0,4), perpendicular part (3,0).
const input = {
  pivots: [v(0, 0), v(1, 0), v(1, 2)],
  energies: [0, 1, 2],
  gradients: [v(9, 9), v(3, 4), v(9, 9)],
  climbing: -1,
};

test('string method: force = -grad perpendicular, no spring; endpoints fixed', () => {
  const { forces, tangents, perpendicularGradientNorms } = getNebMethod('string').forces(input);
  closeVector(forces[1], [-3, 0], 1e-6);
  closeVector(tangents[1], [0, 1], 1e-7);
  assert.deepEqual(perpendicularGradientNorms, [0, 3, 0]);
  assert.deepEqual(Array.from(forces[0]), [0, 0]);
  assert.deepEqual(Array.from(forces[2]), [0, 0]);
});

test('improved tangent NEB: adds k (|R+ - R| - |R - R-|) tau = 2 (2 - 1) (0,1)', () => {
  const { forces } = getNebMethod('improved-tangent', { springConstant: 2 }).forces(input);
  closeVector(forces[1], [-3, 2], 1e-6);
});

test('plain elastic band: -grad + k (R+ - 2R + R-) = (-3,-4) + 2 (-1, 2)', () => {
  const { forces } = getNebMethod('elastic-band', { springConstant: 2 }).forces(input);
  closeVector(forces[1], [-5, 0], 1e-6);
});

test('climbing pivot: -grad + 2 (grad . tau) tau = (-3, 4), spring not applied', () => {
  for (const name of ['string', 'improved-tangent'] as const) {
    const { forces } = getNebMethod(name, { springConstant: 2 }).forces({ ...input, climbing: 1 });
    closeVector(forces[1], [-3, 4], 1e-6);
  }
  assert.equal(highestInteriorPivot([5, 1, 3, 2, 9]), 2);
  assert.equal(highestInteriorPivot([5, 9]), -1);
});

test('flat region and coincident pivots give finite forces', () => {
  const flat = getNebMethod('string').forces({ pivots: [v(0, 0), v(0, 0), v(0, 0), v(1, 0)], energies: [1, 1, 1, 1], gradients: [v(0, 0), v(0, 1), v(2, 0), v(0, 0)], climbing: -1 });
  for (const f of flat.forces) assert.ok(f.every(Number.isFinite));
  // Pivot 1 coincides with both its neighbours' line: the chord (1,0) is the tangent.
  closeVector(flat.forces[1], [0, -1], 1e-7);
});

test('methods by name; unknown names and bad spring constants are rejected', () => {
  assert.equal(getNebMethod('string').name, 'string');
  assert.throws(() => getNebMethod('ase'), (e: Error) => e instanceof InvalidInputError && /unknown NEB method "ase"/.test(e.message));
  assert.throws(() => getNebMethod('improved-tangent', { springConstant: -1 }), /springConstant/);
  assert.throws(() => getNebMethod('elastic-band', { springConstant: Infinity }), /springConstant/);
});
