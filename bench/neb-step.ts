/**
 * The main thread's share of an AutoNEB step outside gradient evaluation, on MNIST MLP
 * 784-100-10 with the worker pool (PooledNeuralEnergy, 2 threads), over N NEB steps (string
 * method, FIRE, climbing, endpoints once: the default preset's step), two measures:
 * - wall: the wall time minus the time spent awaiting the energy's lossAndGradient (the pool's
 *   gradients, including the copies in and out of its shared memory), over the wall time; time
 *   awaiting the step's kernels in the workers counts as outside;
 * - main-thread CPU: the main thread's busy time (performance.eventLoopUtilization's `active`:
 *   the time its event loop was not idle waiting for events) outside the lossAndGradient calls,
 *   over the wall time. This is the work the main thread itself does for the step.
 * The step runs as AutoNEB runs it: with the pool, its per-pivot kernels run in the pool's
 * workers on a shared NebWorkspace (BENCH_NEB_POOLED=0: on the main thread, fused passes on a
 * local NebWorkspace; BENCH_NEB_WORKSPACE=0: allocating fresh vectors). Printed by `npm run bench`.
 */
import { getNebMethod } from '../src/engine/neb/methods';
import { createOptimizer } from '../src/engine/neb/optimizers';
import { applyNebStepOn, evaluateNebForces } from '../src/engine/neb/step';
import { NebWorkspace } from '../src/engine/neb/workspace';
import type { Energy, Vector } from '../src/engine/energy';
import type { NeuralEnergyDescription } from '../src/engine/neural/neural-energy';
import { PooledNeuralEnergy } from '../src/engine/neural/pool';
import { Random } from '../src/engine/random';
import { lerp } from '../src/engine/vector';

const STEPS = Number(process.env.BENCH_NEB_STEPS ?? 60);
const INTERIOR = 5;

export async function nebStepShare(log: (line: string) => void = console.log): Promise<number | string> {
  const description: NeuralEnergyDescription = { model: { kind: 'mlp', widths: [784, 100, 10] }, batchSize: 256, data: { kind: 'mnist' }, seed: 'bench', backend: 'native-blas' };
  let pool: PooledNeuralEnergy;
  try {
    pool = new PooledNeuralEnergy(description, { size: 2 });
    await pool.ready();
  } catch (err) {
    return `skipped: the pool does not start here (${(err as Error).message.split('\n')[0]})`;
  }
  try {
    const pooled = process.env.BENCH_NEB_POOLED !== '0' && process.env.BENCH_NEB_WORKSPACE !== '0';
    let inside = 0;
    let insideActive = 0;
    const timed: Energy = {
      dimension: pool.dimension,
      name: pool.name,
      checksFinite: pool.checksFinite,
      stochastic: true,
      ...(pooled ? { kernels: pool.kernels } : {}),
      async lossAndGradient(points) {
        const t0 = performance.now();
        const busy = performance.eventLoopUtilization();
        const result = await pool.lossAndGradient(points);
        insideActive += performance.eventLoopUtilization(busy).active;
        inside += performance.now() - t0;
        return result;
      },
      loss: (points) => pool.loss(points),
    };
    const random = new Random('neb-step-bench');
    const end = (scale: number) => Float32Array.from({ length: pool.dimension }, () => random.normal() * scale);
    const a = end(0.05);
    const b = end(0.05);
    let pivots: Vector[] = Array.from({ length: INTERIOR + 2 }, (_, i) => lerp(a, b, i / (INTERIOR + 1)));
    const ends: [number, number] = [(await pool.loss([a]))[0], (await pool.loss([b]))[0]];
    const method = getNebMethod('string');
    const memory = pooled ? 'shared' : 'local';
    const optimizer = createOptimizer({ name: 'fire', weightDecay: 0 }, memory);
    const workspace = process.env.BENCH_NEB_WORKSPACE === '0' ? undefined : new NebWorkspace(memory);
    const step = async () => {
      const evaluation = await evaluateNebForces(timed, pivots, method, true, ends, workspace);
      pivots = await applyNebStepOn(timed, pivots, evaluation, { method, optimizer, learningRate: 1, climbing: true }, workspace);
    };
    for (let s = 0; s < 5; s++) await step(); // warm-up
    inside = 0;
    insideActive = 0;
    const t0 = performance.now();
    const busy0 = performance.eventLoopUtilization();
    for (let s = 0; s < STEPS; s++) await step();
    const active = performance.eventLoopUtilization(busy0).active;
    const total = performance.now() - t0;
    const share = (total - inside) / total;
    const cpuShare = (active - insideActive) / total;
    const where = pooled ? "per-pivot kernels in the pool's workers" : 'step on the main thread';
    log(`  ${STEPS} NEB steps, ${INTERIOR} interior pivots, D = ${pool.dimension}, ${where}: ${(total / STEPS).toFixed(1)} ms per step, ` +
      `${((total - inside) / STEPS).toFixed(1)} ms outside gradient evaluation: wall share ${(100 * share).toFixed(1)} %; ` +
      `main thread busy outside gradient evaluation ${((active - insideActive) / STEPS).toFixed(2)} ms per step: main-thread CPU share ${(100 * cpuShare).toFixed(1)} % (goal <= 20 %)`);
    return cpuShare;
  } finally {
    pool.dispose();
  }
}

if (require.main === module) {
  console.log('NEB step on MNIST MLP 784-100-10 with the pool (2 threads):');
  nebStepShare().then((r) => typeof r === 'string' && console.log(`  ${r}`)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
