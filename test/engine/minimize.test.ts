import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonFiniteEnergyError } from '../../src/engine/energy';
import { InvalidInputError } from '../../src/engine/errors';
import { minimize } from '../../src/engine/minimize';
import { mullerBrown } from '../../src/engine/surfaces';
import { close, FunctionEnergy } from './helpers';

// E = (x - 1)^2 + 10 (y + 2)^2 + 3: minimum 3 at (1, -2), by hand.
const bowl = new FunctionEnergy('bowl', 2, (p) => (p[0] - 1) ** 2 + 10 * (p[1] + 2) ** 2 + 3, (p) => [2 * (p[0] - 1), 20 * (p[1] + 2)]);

test('finds the minimum of a quadratic bowl (known: (1, -2), energy 3)', async () => {
  const result = await minimize(bowl, Float32Array.of(5, 5), { tolerance: 1e-4 });
  assert.ok(result.converged);
  assert.ok(result.gradientNorm <= 1e-4);
  close(result.point[0], 1, 1e-4, 'x');
  close(result.point[1], -2, 1e-5, 'y');
  close(result.energy, 3, 1e-8, 'energy');
});

test('converges to the nearest Müller-Brown minimum from a nearby start', async () => {
  const result = await minimize(mullerBrown, Float32Array.of(0.5, 0.2));
  assert.ok(result.converged, `gradient norm ${result.gradientNorm}`);
  close(result.energy, -108.1667, 1e-3, 'energy');
  close(result.point[0], 0.6235, 1e-4, 'x');
});

test('stops at maxSteps and reports not converged', async () => {
  const result = await minimize(mullerBrown, Float32Array.of(-1.2, 1.8), { maxSteps: 3 });
  assert.equal(result.steps, 3);
  assert.equal(result.converged, false);
});

test('bad input throws an error naming the problem', async () => {
  await assert.rejects(minimize(bowl, Float32Array.of(1, 2, 3)), (e: Error) => e instanceof InvalidInputError && /start: has 3 coordinates/.test(e.message));
  await assert.rejects(minimize(bowl, Float32Array.of(NaN, 0)), NonFiniteEnergyError);
  await assert.rejects(minimize(bowl, Float32Array.of(0, 0), { maxSteps: 0 }), /maxSteps/);
  await assert.rejects(minimize(bowl, Float32Array.of(0, 0), { tolerance: -1 }), /tolerance/);
  const nan = new FunctionEnergy('nan', 2, () => NaN, () => [0, 0]);
  await assert.rejects(minimize(nan, Float32Array.of(0, 0)), (e: Error) => e instanceof NonFiniteEnergyError && e.what === 'loss');
});

test('an aborted signal stops the descent', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(minimize(mullerBrown, Float32Array.of(0, 0), { signal: controller.signal }), { name: 'AbortError' });
});
