import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBarrier, lossBarrier, type LinePoint } from '../../src/engine/linear-connectivity';
import { InvalidInputError } from '../../src/engine/errors';

const point = (t: number, trainLoss: number, testError: number | null): LinePoint => ({ t, trainLoss, testLoss: trainLoss + 0.1, trainError: testError, testError });

test("Frankle's error barrier: the highest test error minus the endpoints' mean, and where it peaks", () => {
  // Endpoints 0.02 and 0.06 (mean 0.04); peak 0.30 at alpha 0.5 -> 0.26.
  const line = [point(0, 0.1, 0.02), point(0.25, 0.5, 0.1), point(0.5, 0.9, 0.3), point(0.75, 1.5, 0.2), point(1, 0.3, 0.06)];
  const e = errorBarrier(line)!;
  assert.ok(Math.abs(e.value - 0.26) < 1e-12);
  assert.equal(e.alpha, 0.5);
});

test("Entezari's loss barrier: height above the chord between the endpoint losses, not above the higher endpoint", () => {
  // Chord from 0.1 to 0.3: at 0.5 it is 0.2 (0.9 - 0.2 = 0.7); at 0.75 it is 0.25 (1.5 - 0.25 = 1.25).
  const line = [point(0, 0.1, 0.02), point(0.25, 0.5, 0.1), point(0.5, 0.9, 0.3), point(0.75, 1.5, 0.2), point(1, 0.3, 0.06)];
  const l = lossBarrier(line);
  assert.ok(Math.abs(l.value - 1.25) < 1e-12);
  assert.equal(l.alpha, 0.75);
  // A line that stays under its chord has a barrier of 0 (at an endpoint).
  const convex = [point(0, 1, 0), point(0.5, 0.2, 0), point(1, 1, 0)];
  assert.deepEqual(lossBarrier(convex), { value: 0, alpha: 0 });
  // Surfaces have no error rate: no error barrier.
  assert.equal(errorBarrier([point(0, 1, null), point(1, 1, null)]), null);
  assert.throws(() => lossBarrier([point(0.1, 1, 0), point(1, 1, 0)]), InvalidInputError);
});
