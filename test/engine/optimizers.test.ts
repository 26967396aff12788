import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer } from '../../src/engine/neb/optimizers';
import { closeVector } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);

test('SGD with momentum and weight decay, two steps by hand (torch conventions)', () => {
  const sgd = createOptimizer({ name: 'sgd', momentum: 0.9, weightDecay: 0.1 });
  const pivots = [v(0, 0), v(1, 2), v(5, 5)];
  const g = v(0.5, -1);
  // step 1: grad = g + 0.1 p = (0.6, -0.8); buffer = grad; p = (1, 2) - 0.1 (0.6, -0.8)
  sgd.step(pivots, [null, g, null], 0.1);
  closeVector(pivots[1], [0.94, 2.08], 1e-6);
  // step 2: grad = (0.594, -0.792); buffer = 0.9 (0.6, -0.8) + grad = (1.134, -1.512)
  sgd.step(pivots, [null, g, null], 0.1);
  closeVector(pivots[1], [0.8266, 2.2312], 1e-6);
  assert.deepEqual(Array.from(pivots[0]), [0, 0], 'endpoints (null gradient) do not move');
  assert.deepEqual(Array.from(pivots[2]), [5, 5]);
});

test('Adam, two steps by hand (bias-corrected)', () => {
  const adam = createOptimizer({ name: 'adam', weightDecay: 0 });
  const pivots = [v(0), v(1, 1), v(0)];
  // step 1: m^ = g, v^ = g^2 -> p -= 0.01 * sign(g)
  adam.step(pivots, [null, v(2, -0.5), null], 0.01);
  closeVector(pivots[1], [0.99, 1.01], 1e-7);
  // step 2 with g = (-2, -0.5): m = (-0.02, -0.095), v = 0.001999 (4, 0.25)
  // m^ = m / 0.19 = (-0.105263, -0.5), sqrt(v^) = (2, 0.5) -> p -= 0.01 (-0.0526316, -1)
  adam.step(pivots, [null, v(-2, -0.5), null], 0.01);
  closeVector(pivots[1], [0.99 + 0.000526316, 1.02], 1e-6);
});

test('state follows inserted pivots: a new pivot inherits the interpolated momentum', () => {
  const sgd = createOptimizer({ name: 'sgd', momentum: 0.9, weightDecay: 0 });
  const pivots = [v(0), v(10), v(20), v(30)];
  sgd.step(pivots, [null, v(1), v(3), null], 1); // buffers: pivot 1 -> 1, pivot 2 -> 3
  closeVector(pivots[1], [9], 0);
  closeVector(pivots[2], [17], 0);
  // Insert between pivots 1 and 2 at a quarter: buffer 0.75 * 1 + 0.25 * 3 = 1.5.
  sgd.remap([
    { left: 0, right: 0, alpha: 0 },
    { left: 1, right: 1, alpha: 0 },
    { left: 1, right: 2, alpha: 0.25 },
    { left: 2, right: 2, alpha: 0 },
    { left: 3, right: 3, alpha: 0 },
  ]);
  const next = [v(0), v(9), v(11), v(17), v(30)];
  const zero = v(0);
  sgd.step(next, [null, zero, zero, zero, null], 1); // moves by -0.9 * buffer
  closeVector(next[1], [9 - 0.9], 1e-6);
  closeVector(next[2], [11 - 0.9 * 1.5], 1e-6);
  closeVector(next[3], [17 - 0.9 * 3], 1e-6);
});

test('bad optimizer configs name the field', () => {
  // @ts-expect-error unknown name on purpose
  assert.throws(() => createOptimizer({ name: 'lbfgs' }), /optimizer.name: unknown optimizer "lbfgs"/);
  assert.throws(() => createOptimizer({ momentum: 1 }), /optimizer.momentum/);
  assert.throws(() => createOptimizer({ weightDecay: -1 }), /optimizer.weightDecay/);
  assert.throws(() => createOptimizer({ name: 'adam', epsilon: 0 }), /optimizer.epsilon/);
});
