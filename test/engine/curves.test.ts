import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coefficients, fitCurve, garipovLearningRate, pointOnCurve, type CurveEpoch } from '../../src/engine/curves';
import { InvalidInputError } from '../../src/engine/errors';
import { exactGridPath } from '../../src/engine/exact-path';
import { himmelblau, type AnalyticSurface } from '../../src/engine/surfaces';

const a = Float32Array.of(0, 0);
const b = Float32Array.of(4, 0);
const bend = Float32Array.of(2, 2);

test('Bezier and polygonal chain: endpoints, the bend point, hand-computed midpoints', () => {
  const bezier = { kind: 'bezier' as const, a, b, bend };
  const chain = { kind: 'polychain' as const, a, b, bend };
  assert.deepEqual([...pointOnCurve(bezier, 0)], [0, 0]);
  assert.deepEqual([...pointOnCurve(bezier, 1)], [4, 0]);
  // (a + 2 θ + b) / 4 = (0 + 4 + 4, 0 + 4 + 0) / 4
  assert.deepEqual([...pointOnCurve(bezier, 0.5)], [2, 1]);
  assert.deepEqual([...pointOnCurve(chain, 0.5)], [2, 2]);
  // A quarter of the way along the first leg of the chain.
  assert.deepEqual([...pointOnCurve(chain, 0.125)], [0.5, 0.5]);
  assert.deepEqual([...pointOnCurve(chain, 0.75)], [3, 1]);
  for (const t of [0, 0.2, 0.5, 0.9, 1]) for (const kind of ['bezier', 'polychain'] as const) assert.ok(Math.abs(coefficients(kind, t).reduce((s, x) => s + x, 0) - 1) < 1e-12);
});

test("Garipov's schedule: the base rate for half the epochs, linear to 1% by 90%, then 1%", () => {
  assert.equal(garipovLearningRate(0.1, 0.3), 0.1);
  assert.ok(Math.abs(garipovLearningRate(0.1, 0.7) - 0.1 * (1 - 0.5 * 0.99)) < 1e-15);
  assert.ok(Math.abs(garipovLearningRate(0.1, 0.95) - 0.001) < 1e-15);
});

test('the bend gradient w(t) g(φ(t)) equals central differences of L(φ(t)) in the bend point', () => {
  const s = himmelblau;
  for (const kind of ['bezier', 'polychain'] as const) {
    for (const t of [0.2, 0.5, 0.8]) {
      const curve = { kind, a: s.minimum(0), b: s.minimum(3), bend: Float32Array.of(3.2, 0.4) };
      const [gx, gy] = s.gradient(...(Array.from(pointOnCurve(curve, t)) as [number, number]));
      const w = coefficients(kind, t)[1];
      const h = 1e-3;
      const at = (dx: number, dy: number) => {
        const [x, y] = [0, 1].map((i) => coefficients(kind, t)[0] * curve.a[i] + w * (curve.bend[i] + (i === 0 ? dx : dy)) + coefficients(kind, t)[2] * curve.b[i]);
        return s.value(x, y);
      };
      const fdx = (at(h, 0) - at(-h, 0)) / (2 * h);
      const fdy = (at(0, h) - at(0, -h)) / (2 * h);
      assert.ok(Math.abs(w * gx - fdx) < 1e-3 * Math.max(1, Math.abs(fdx)) && Math.abs(w * gy - fdy) < 1e-3 * Math.max(1, Math.abs(fdy)), `${kind} t=${t}`);
    }
  }
});

const cases: Array<[AnalyticSurface, number, number, number]> = [
  [himmelblau, 0, 3, 1e-3],
  [himmelblau, 0, 1, 1e-3],
];

for (const [surface, i, j, learningRate] of cases) {
  test(`${surface.name} ${i} -> ${j}: a fitted curve is lower than the straight line and never below the exact saddle; per-epoch progress; seeded`, async (t) => {
    const start = surface.minimum(i);
    const end = surface.minimum(j);
    const grid = await exactGridPath(surface, surface.box, start, end, { resolution: 201 });
    const line = await surface.loss(Array.from({ length: 61 }, (_, k) => start.map((x, d) => x + ((end[d] - x) * k) / 60)));
    for (const kind of ['bezier', 'polychain'] as const) {
      const epochs: CurveEpoch[] = [];
      const fit = await fitCurve(surface, start, end, { kind, learningRate, epochs: 10, stepsPerEpoch: 50, seed: 3 }, (e) => void epochs.push(e));
      t.diagnostic(`${kind}: curve saddle ${fit.saddle.energy.toFixed(4)}, straight line ${Math.max(...line).toFixed(4)}, exact ${grid.saddleEnergy.toFixed(4)}, ${fit.evaluations} evaluations`);
      assert.equal(fit.t.length, 61);
      assert.equal(fit.evaluations, 10 * 50 + 61);
      assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.ok(fit.saddle.energy < Math.max(...line), 'lower than the straight line');
      // Every path from a to b climbs at least to the minimax (the exact path's saddle), up to the grid's resolution.
      assert.ok(fit.saddle.energy >= grid.saddleEnergy - 0.01 * Math.abs(grid.saddleEnergy), `not below the exact saddle ${grid.saddleEnergy}`);
      assert.deepEqual([...fit.points[0]], [...start]);
      assert.deepEqual([...fit.points[60]], [...end]);
      const again = await fitCurve(surface, start, end, { kind, learningRate, epochs: 10, stepsPerEpoch: 50, seed: 3 });
      assert.deepEqual([...again.curve.bend], [...fit.curve.bend], 'same seed, same bend point');
    }
  });
}

test('a bad curve kind or size is refused naming the field', async () => {
  await assert.rejects(fitCurve(himmelblau, himmelblau.minimum(0), himmelblau.minimum(1), { kind: 'spline' as never }), (e: unknown) => e instanceof InvalidInputError && e.field === 'kind');
  await assert.rejects(fitCurve(himmelblau, himmelblau.minimum(0), himmelblau.minimum(1), { points: 1 }), (e: unknown) => e instanceof InvalidInputError && e.field === 'points');
});

test('a fit resumed from the state of its epoch 4 ends with the bend point of the uninterrupted fit, bit for bit', async () => {
  const [a, b] = [himmelblau.minimum(0), himmelblau.minimum(3)];
  const config = { kind: 'bezier' as const, learningRate: 1e-3, epochs: 8, stepsPerEpoch: 20, seed: 5 };
  const states: CurveEpoch[] = [];
  const whole = await fitCurve(himmelblau, a, b, config, (e) => void states.push(e));
  const after4 = states[3];
  const resumed: number[] = [];
  const rest = await fitCurve(himmelblau, a, b, config, (e) => void resumed.push(e.epoch), { start: { epochsDone: 4, bend: after4.bend, velocity: after4.velocity, evaluations: after4.evaluations } });
  assert.deepEqual(resumed, [5, 6, 7, 8]);
  assert.deepEqual([...rest.curve.bend], [...whole.curve.bend]);
  assert.equal(rest.evaluations, whole.evaluations);
  assert.deepEqual(rest.energy, whole.energy);
  // A state that does not fit the config is refused, naming it.
  await assert.rejects(fitCurve(himmelblau, a, b, config, undefined, { start: { epochsDone: 9, bend: after4.bend } }), (e: unknown) => e instanceof InvalidInputError && e.field === 'start');
});
