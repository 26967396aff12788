// The NEB step's per-pivot kernels run in the pool's workers give the pivots of the main-thread
// step bit for bit: same kernels, scalars summed in pivot order on the main thread.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runAutoNEB } from '../../src/engine/autoneb/run';
import type { Energy, Vector } from '../../src/engine/energy';
import { getNebMethod, type NebMethodName } from '../../src/engine/neb/methods';
import { createOptimizer, type OptimizerConfig } from '../../src/engine/neb/optimizers';
import { applyNebStepOn, evaluateNebForces } from '../../src/engine/neb/step';
import { NebWorkspace } from '../../src/engine/neb/workspace';
import { createModel, initialParameters } from '../../src/engine/neural/models';
import type { NeuralEnergyDescription } from '../../src/engine/neural/neural-energy';
import { PooledNeuralEnergy } from '../../src/engine/neural/pool';
import { lerp } from '../../src/engine/vector';
import { tinyCnnEnergy } from '../helpers/tiny-cnn-energy';

const mlp: NeuralEnergyDescription = { ...tinyCnnEnergy('cpu'), model: { kind: 'mlp', widths: [64, 12, 3] } };

let shared: Promise<{ pooled: PooledNeuralEnergy; plain: Energy }> | null = null;
after(async () => {
  const made = await shared;
  made?.pooled.dispose();
  made?.plain.dispose?.();
});

/**
 * Two pools, made once for the file and called in lockstep (so call k draws the same batch in
 * both): one offers its kernels, the other is seen without them.
 */
function pools(): Promise<{ pooled: PooledNeuralEnergy; plain: Energy }> {
  shared ??= makePools();
  return shared;
}

async function makePools(): Promise<{ pooled: PooledNeuralEnergy; plain: Energy }> {
  await tf.setBackend('cpu');
  const pooled = new PooledNeuralEnergy(mlp, { size: 2 });
  const other = new PooledNeuralEnergy(mlp, { size: 2 });
  await Promise.all([pooled.ready(), other.ready()]);
  // The same energy without `kernels`: AutoNEB and the step then run every kernel on this thread.
  const plain: Energy = {
    dimension: other.dimension,
    name: other.name,
    checksFinite: true,
    stochastic: true,
    lossAndGradient: (points) => other.lossAndGradient(points),
    loss: (points) => other.loss(points),
    dispose: () => other.dispose(),
  };
  return { pooled, plain };
}

function minima(): [Vector, Vector] {
  const model = createModel(mlp.model);
  return [initialParameters(model, 1), initialParameters(model, 2)];
}

const steps: Array<[NebMethodName, Partial<OptimizerConfig>]> = [
  ['string', { name: 'fire', dt: 0.2, dtmax: 2, Nmin: 1, astart: 0.3, maxstep: 10 }],
  // Every step cut to maxstep (the move redone after the velocity phase).
  ['string', { name: 'fire', maxstep: 1e-3 }],
  ['string', { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }],
  ['improved-tangent', { name: 'adam', weightDecay: 0 }],
  ['elastic-band', { name: 'sgd', momentum: 0, weightDecay: 0 }],
];

for (const [methodName, optimizerConfig] of steps) {
  test(`${methodName} + ${optimizerConfig.name}${optimizerConfig.maxstep ? ` (maxstep ${optimizerConfig.maxstep})` : ''}, climbing, endpoints once: 12 steps with the kernels in the workers equal the main-thread steps bit for bit`, async () => {
    const { pooled, plain } = await pools();
    const [a, b] = minima();
    const start = Array.from({ length: 7 }, (_, i) => lerp(a, b, i / 6));
    const ends: [number, number] = [(await plain.loss([a]))[0], (await plain.loss([b]))[0]];
    assert.deepEqual([(await pooled.loss([a]))[0], (await pooled.loss([b]))[0]], ends);
    const run = (energy: Energy, memory: 'local' | 'shared') => {
      const method = getNebMethod(methodName, { springConstant: 0.5 });
      const optimizer = createOptimizer(optimizerConfig, memory);
      const workspace = new NebWorkspace(memory);
      let pivots: Vector[] = start;
      return async () => {
        const evaluation = await evaluateNebForces(energy, pivots, method, true, ends, workspace);
        pivots = await applyNebStepOn(energy, pivots, evaluation, { method, optimizer, learningRate: 0.05, climbing: true, forceFactor: 3 }, workspace);
        return { pivots: pivots.map((p) => Float32Array.from(p)), forces: evaluation.forces.forceNorms, perpendicular: evaluation.forces.perpendicularGradientNorms, climbing: evaluation.climbing };
      };
    };
    const [inWorkers, onMain] = [run(pooled, 'shared'), run(plain, 'local')];
    const tasksBefore = pooled.kernelTasks;
    let moved = 0;
    for (let s = 0; s < 12; s++) {
      const [x, y] = [await inWorkers(), await onMain()];
      assert.deepEqual(x, y, `step ${s}`);
      moved = Math.max(moved, ...x.pivots.map((p, i) => Math.abs(p[0] - start[i][0])));
    }
    assert.ok(moved > 0, 'the band moved');
    // Per step at least the 5 forces and the 7 moves (copies of the endpoints included); the first evaluation reads pivots outside shared memory.
    assert.ok(pooled.kernelTasks - tasksBefore >= 11 * 12, `the kernels ran in the workers (${pooled.kernelTasks - tasksBefore} tasks)`);
  });
}

test('AutoNEB (adaptive preset, shortened) with the pool: every cycle record equals the main-thread run bit for bit', async () => {
  const { pooled, plain } = await pools();
  const [a, b] = minima();
  const config = { preset: 'adaptive' as const, base: { steps: 15 } };
  const tasksBefore = pooled.kernelTasks;
  const [x, y] = [await runAutoNEB(pooled, a, b, config), await runAutoNEB(plain, a, b, config)];
  assert.ok(x.cycles.length >= 2, `${x.cycles.length} cycles`);
  assert.deepEqual(
    x.cycles.map((c) => [c.pivots, c.pivotEnergies, c.maxForce, c.maxPerpendicularGradient, c.saddle.energy, c.evaluations]),
    y.cycles.map((c) => [c.pivots, c.pivotEnergies, c.maxForce, c.maxPerpendicularGradient, c.saddle.energy, c.evaluations]),
  );
  assert.ok(pooled.kernelTasks > tasksBefore, 'the kernels ran in the workers');
});
