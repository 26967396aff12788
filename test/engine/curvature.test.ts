import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCurvature, curvatureAlong, energyGradients, HessianVectorProducts, hutchinsonTrace, lanczos, powerIteration, symmetricEigen, type CurvatureState } from '../../src/engine/curvature';
import type { Vector } from '../../src/engine/energy';
import { InvalidInputError } from '../../src/engine/errors';
import { exactGridPath } from '../../src/engine/exact-path';
import { Random } from '../../src/engine/random';
import { curvedValley, himmelblau, mullerBrown, wolfeQuapp, type AnalyticSurface } from '../../src/engine/surfaces';
import { FunctionEnergy, newtonCriticalPoint } from './helpers';

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

test('Jacobi eigenvalues of the tridiagonal Toeplitz matrix equal 2 - 2 cos(j pi / (n + 1))', () => {
  const n = 30;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 2;
    if (i + 1 < n) m[i * n + i + 1] = m[(i + 1) * n + i] = -1;
  }
  const { values, vectors } = symmetricEigen(m, n);
  values.forEach((v, j) => assert.ok(Math.abs(v - (2 - 2 * Math.cos(((j + 1) * Math.PI) / (n + 1)))) < 1e-12, `eigenvalue ${j}: ${v}`));
  // M v = lambda v for the lowest pair.
  for (let i = 0; i < n; i++) {
    let mv = 0;
    for (let k = 0; k < n; k++) mv += m[i * n + k] * vectors[0][k];
    assert.ok(Math.abs(mv - values[0] * vectors[0][i]) < 1e-12);
  }
});

/** A quadratic f = 1/2 x^T A x with A = R diag(spectrum) R^T, R a product of random Householder reflections. */
function quadratic(spectrum: number[], seed: number) {
  const d = spectrum.length;
  const random = new Random(seed);
  const reflections = Array.from({ length: 3 }, () => {
    const u = Float64Array.from({ length: d }, () => random.normal());
    const n = Math.hypot(...u);
    return u.map((x) => x / n);
  });
  const rotate = (x: Float64Array, order: 'forward' | 'back') => {
    const y = Float64Array.from(x);
    const list = order === 'forward' ? reflections : [...reflections].reverse();
    for (const u of list) {
      let c = 0;
      for (let i = 0; i < d; i++) c += u[i] * y[i];
      for (let i = 0; i < d; i++) y[i] -= 2 * c * u[i];
    }
    return y;
  };
  const apply = (x: ArrayLike<number>) => {
    const z = rotate(Float64Array.from(x), 'back');
    for (let i = 0; i < d; i++) z[i] *= spectrum[i];
    return rotate(z, 'forward');
  };
  const f = (p: Vector) => {
    const ap = apply(p);
    let s = 0;
    for (let i = 0; i < d; i++) s += 0.5 * p[i] * ap[i];
    return s;
  };
  return new FunctionEnergy(`quadratic-${d}`, d, f, (p) => Array.from(apply(p)));
}

const spectrum200 = Array.from({ length: 200 }, (_, i) => (i < 3 ? -[5, 2, 0.7][i] : i >= 195 ? 40 + 10 * (i - 195) : 0.1 + (i - 3) * 0.05));

test('quadratic, D = 200, index 3: Lanczos extremes, negative count, power iteration, trace and tangent curvature', async () => {
  const energy = quadratic(spectrum200, 1);
  const theta = new Float32Array(200).fill(0.3);
  const products = new HessianVectorProducts(energyGradients(energy), theta);
  const r = await lanczos(products, { k: 5, random: new Random(2) });
  const sorted = [...spectrum200].sort((a, b) => a - b);
  r.largest.forEach((v, i) => assert.ok(relative(v, sorted[199 - i]) < 1e-3, `largest[${i}] ${v} vs ${sorted[199 - i]}`));
  r.smallest.slice(0, 3).forEach((v, i) => assert.ok(relative(v, sorted[i]) < 1e-3, `smallest[${i}] ${v} vs ${sorted[i]}`));
  assert.ok(r.converged, `${r.iterations} iterations`);

  const power = await powerIteration(products, new Random(3));
  assert.ok(relative(power.eigenvalue, 80) < 0.01, `power ${power.eigenvalue}`);

  const trace = await hutchinsonTrace(new HessianVectorProducts(energyGradients(energy), theta), { random: new Random(4) });
  const exact = spectrum200.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(trace.trace - exact) < 4 * trace.standardError && trace.standardError > 0, `trace ${trace.trace} +- ${trace.standardError} vs ${exact}`);

  const u = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i));
  const au = (energy as unknown as { g: (p: Vector) => number[] }).g(u);
  const expected = au.reduce((s, x, i) => s + x * u[i], 0) / u.reduce((s, x) => s + x * x, 0);
  assert.ok(relative(await curvatureAlong(products, u), expected) < 1e-3);

  const full = await computeCurvature(energyGradients(energy), theta, { k: 5, seed: 9 });
  assert.equal(full.negativeCount, 3);
  assert.ok(full.threshold < 0.7 && full.threshold > 0);
});

test('computeCurvature resumed from a stored state gives the uninterrupted result and spends only the rest', async () => {
  const energy = quadratic(spectrum200.slice(0, 60).map((x, i) => x + i * 0.01), 5);
  const theta = new Float32Array(60).fill(-0.2);
  const states: CurvatureState[] = [];
  const whole = await computeCurvature(energyGradients(energy), theta, { k: 3, seed: 1, traceProbes: 40, tangent: theta }, { onState: (s) => void states.push(s) });
  const middle = states.find((s) => s.trace && s.trace.probes === 16);
  assert.ok(middle, 'a state after two trace batches was stored');
  const before = energy.calls;
  const resumed = await computeCurvature(energyGradients(energy), theta, { k: 3, seed: 1, traceProbes: 40, tangent: theta }, { state: middle });
  assert.deepEqual(resumed, whole);
  // 24 probes left, 2 gradients each, 8 probes (16 points) per call.
  assert.equal(energy.calls - before, 3);
});

test('k out of range is refused naming k', async () => {
  for (const k of [0, 21, 2.5]) {
    await assert.rejects(computeCurvature(energyGradients(himmelblau), himmelblau.minimum(0), { k }), (e: unknown) => e instanceof InvalidInputError && e.field === 'k');
  }
});

/** Newton-refined critical points of each surface: its minima and the saddles of its exact paths. */
async function criticalPoints(surface: AnalyticSurface, pairs: Array<[number, number]>) {
  const minima = surface.minima.map((m) => ({ kind: 'minimum', ...newtonCriticalPoint(surface, m.x, m.y) }));
  const saddles = [];
  for (const [a, b] of pairs) {
    const grid = await exactGridPath(surface, surface.box, surface.minimum(a), surface.minimum(b), { resolution: 201 });
    saddles.push({ kind: `saddle ${a}-${b}`, ...newtonCriticalPoint(surface, grid.saddle[0], grid.saddle[1]) });
  }
  return [...minima, ...saddles];
}

const surfaceCases: Array<[AnalyticSurface, Array<[number, number]>]> = [
  [mullerBrown, [[0, 2], [1, 2]]],
  [himmelblau, [[0, 3], [0, 1]]],
  [wolfeQuapp, [[0, 1], [1, 2]]],
  [curvedValley, [[0, 1]]],
];

for (const [surface, pairs] of surfaceCases) {
  test(`${surface.name}: eigenvalues within 1% of the float64 Hessian, index 0 at minima and 1 at saddles`, async (t) => {
    for (const point of await criticalPoints(surface, pairs)) {
      const theta = Float32Array.of(point.x, point.y);
      const r = await computeCurvature(energyGradients(surface), theta, { k: 2, traceProbes: 0 });
      const [low, high] = point.hessianEigenvalues;
      t.diagnostic(`${point.kind} (${point.x.toFixed(4)}, ${point.y.toFixed(4)}): exact ${low.toPrecision(6)} ${high.toPrecision(6)}, lanczos ${r.smallest[0].toPrecision(6)} ${r.largest[0].toPrecision(6)}, threshold ${r.threshold.toExponential(2)}`);
      assert.ok(relative(r.smallest[0], low) < 0.01, `${point.kind} smallest ${r.smallest[0]} vs ${low}`);
      assert.ok(relative(r.largest[0], high) < 0.01, `${point.kind} largest ${r.largest[0]} vs ${high}`);
      assert.equal(r.negativeCount, point.kind === 'minimum' ? 0 : 1, point.kind);
      assert.equal(r.relativeStep, 1e-3, 'no kinks: the first step candidate is linear');
      assert.equal(r.evaluations, 6 + 4, 'the step test (three products) and two products in two dimensions');
    }
  });
}
