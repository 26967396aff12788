import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonFiniteEnergyError } from '../../src/engine/energy';
import { getNebMethod } from '../../src/engine/neb/methods';
import type { PathOptimizer } from '../../src/engine/neb/optimizers';
import { createOptimizer } from '../../src/engine/neb/optimizers';
import { NebWorkspace } from '../../src/engine/neb/workspace';
import { nebStep } from '../../src/engine/neb/step';
import { cumulativeLengths } from '../../src/engine/path';
import { mullerBrown } from '../../src/engine/surfaces';
import { close, closeVector, FunctionEnergy } from './helpers';

const v = (...xs: number[]) => Float32Array.from(xs);

// Redistribution places pivots at equal arc length along the path before the step; the new
// polygon's neighbour distances then agree to second order in its bends, so from a kinked
// start they are equal within 1% after 3 steps (0.32 before the first step, 0.17 after it).
test('string method: pivots stay equally spaced along the path', async () => {
  let pivots = [mullerBrown.minimum(0), v(-0.7, 1.2), v(-0.3, 0.9), v(0, 0.6), v(0.3, 0.3), mullerBrown.minimum(1)];
  const method = getNebMethod('string');
  const optimizer = createOptimizer({ name: 'adam', weightDecay: 0 });
  const spread = (path: Float32Array[]) => {
    const c = cumulativeLengths(path);
    const mean = c[c.length - 1] / (path.length - 1);
    return Math.max(...c.slice(1).map((x, i) => Math.abs(x - c[i] - mean) / mean));
  };
  const initial = spread(pivots);
  for (let s = 0; s < 50; s++) {
    ({ pivots } = await nebStep(mullerBrown, pivots, { method, optimizer, learningRate: 0.01 }));
    if (s === 0) assert.ok(spread(pivots) < 0.6 * initial, `first step: spread ${spread(pivots)} vs initial ${initial}`);
    if (s >= 3) assert.ok(spread(pivots) < 0.01, `step ${s}: neighbour distances differ by ${spread(pivots)}`);
  }
  closeVector(pivots[0], mullerBrown.minimum(0), 0);
  closeVector(pivots[pivots.length - 1], mullerBrown.minimum(1), 0);
});

test('one plain gradient step moves an interior pivot by -lr * force (hand computed)', async () => {
  // E = y^2: on the path (0,0) -> (1,1) -> (2,0) the middle pivot is a maximum with E+ = E-,
  // tangent (1,0) by symmetry; gradient (0,2) is all perpendicular -> pivot moves to (1, 1 - 0.1 * 2).
  const energy = new FunctionEnergy('y2', 2, (p) => p[1] ** 2, (p) => [0, 2 * p[1]]);
  const method = getNebMethod('improved-tangent', { springConstant: 1 });
  const optimizer = createOptimizer({ name: 'sgd', momentum: 0, weightDecay: 0 });
  const result = await nebStep(energy, [v(0, 0), v(1, 1), v(2, 0)], { method, optimizer, learningRate: 0.1 });
  closeVector(result.pivots[1], [1, 0.8], 1e-6);
  assert.deepEqual(result.energies, [0, 1, 0]);
  close(result.maxPerpendicularGradient, 2, 1e-6);
});

test('NaN energy, wrong gradient length and exploding steps are errors, never NaN paths', async () => {
  const method = getNebMethod('string');
  const optimizer = createOptimizer({ name: 'sgd', momentum: 0, weightDecay: 0 });
  const nan = new FunctionEnergy('nan', 2, (p) => (p[0] > 0.5 ? NaN : 0), () => [0, 0]);
  await assert.rejects(nebStep(nan, [v(0, 0), v(1, 0), v(2, 0)], { method, optimizer, learningRate: 0.1 }), (e: Error) => e instanceof NonFiniteEnergyError && e.what === 'loss' && e.pointIndex === 1);
  const short = new FunctionEnergy('short', 2, () => 0, () => [0]);
  await assert.rejects(nebStep(short, [v(0, 0), v(1, 0), v(2, 0)], { method, optimizer, learningRate: 0.1 }), /gradient 0 has length 1, expected 2/);
  const steep = new FunctionEnergy('steep', 2, (p) => 1e30 * p[1], () => [0, 1e30]);
  await assert.rejects(nebStep(steep, [v(0, 0), v(1, 0), v(2, 0)], { method, optimizer, learningRate: 1e10 }), (e: Error) => e instanceof NonFiniteEnergyError && e.what === 'coordinate');
});

// The fused step on a workspace's buffers (what AutoNEB runs) against the step that allocates
// fresh vectors, on Müller-Brown with each optimiser and a climbing pivot: same pivots bit for
// bit over many steps, the input of every step unchanged, and the same buffers reused.
test('a NebWorkspace step equals the allocating step bit for bit and leaves its input unchanged', async () => {
  const start = [mullerBrown.minimum(0), v(-0.7, 1.2), v(-0.3, 0.9), v(0, 0.6), v(0.3, 0.3), mullerBrown.minimum(1)];
  for (const name of ['sgd', 'adam', 'fire'] as const) {
    const method = getNebMethod('string');
    const options = (optimizer: PathOptimizer) => ({ method, optimizer, learningRate: 1e-4, climbing: true, forceFactor: 0.37 });
    const plain = options(createOptimizer({ name, weightDecay: 0, momentum: 0.5 }));
    const fused = options(createOptimizer({ name, weightDecay: 0, momentum: 0.5 }));
    const workspace = new NebWorkspace();
    let a = start;
    let b = start;
    const seen = new Set<Float32Array>();
    for (let s = 0; s < 40; s++) {
      const before = b.map((p) => Float32Array.from(p));
      a = (await nebStep(mullerBrown, a, plain)).pivots;
      const input = b;
      b = (await nebStep(mullerBrown, b, fused, undefined, workspace)).pivots;
      input.forEach((p, i) => assert.deepEqual(p, before[i], `${name} step ${s}: input pivot ${i} changed`));
      a.forEach((p, i) => assert.deepEqual(b[i], p, `${name} step ${s}: pivot ${i}`));
      b.forEach((p) => seen.add(p));
    }
    assert.ok(seen.size <= 3 * start.length, `${name}: ${seen.size} distinct vectors over 40 steps (the workspace holds 3 bands)`);
    assert.ok(a.some((p, i) => p.some((x, d) => x !== start[i][d])), `${name}: the pivots moved`);
  }
});
