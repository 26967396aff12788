/**
 * The main thread's share of an AutoNEB step outside gradient evaluation, on MNIST MLP
 * 784-100-10 with the worker pool (PooledNeuralEnergy, 2 threads), over N NEB steps (string
 * method, FIRE, climbing, endpoints once: the default preset's step), two measures:
 * - wall: the wall time minus the time spent awaiting the energy's lossAndGradient (the pool's
 *   gradients, including the copies in and out of its shared memory), over the wall time; time
 *   awaiting the step's kernels in the workers counts as outside;
 * - main-thread CPU: the CPU time of the main thread alone outside the lossAndGradient calls, over
 *   the wall time: the work the main thread itself does for the step. Read from Linux's
 *   /proc/self/task/<pid>/schedstat (the main thread's time on a CPU, in ns) before and after the
 *   steps and around every gradient call (the reads themselves cost ~0.2 % of the time); where
 *   that file is missing, performance.eventLoopUtilization's `active` time instead (the time the
 *   event loop was not idle: it also counts time a runnable thread waits for a CPU, so it
 *   overstates the CPU on a loaded machine).
 * The step runs as AutoNEB runs it: with the pool, its per-pivot kernels run in the pool's
 * workers on a shared NebWorkspace (BENCH_NEB_POOLED=0: on the main thread, fused passes on a
 * local NebWorkspace; BENCH_NEB_WORKSPACE=0: allocating fresh vectors). Printed by `npm run bench`.
 */
import { existsSync, readFileSync } from 'node:fs';
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

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const BUSY_MEASURE = existsSync(SCHEDSTAT) ? 'CPU (schedstat)' : 'busy (event-loop utilisation)';

/** Starts a measure of the main thread's busy time; the returned function gives the ms since. */
function mainThreadBusy(): () => number {
  if (BUSY_MEASURE.startsWith('CPU')) {
    const read = () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
    const start = read();
    return () => read() - start;
  }
  const start = performance.eventLoopUtilization();
  return () => performance.eventLoopUtilization(start).active;
}
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
    let insideBusy = 0;
    const timed: Energy = {
      dimension: pool.dimension,
      name: pool.name,
      checksFinite: pool.checksFinite,
      stochastic: true,
      ...(pooled ? { kernels: pool.kernels } : {}),
      async lossAndGradient(points) {
        const t0 = performance.now();
        const busy = mainThreadBusy();
        const result = await pool.lossAndGradient(points);
        insideBusy += busy();
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
    insideBusy = 0;
    const kernelMs = pool.kernelMs;
    const t0 = performance.now();
    const busy = mainThreadBusy();
    for (let s = 0; s < STEPS; s++) await step();
    const outside = busy() - insideBusy;
    const total = performance.now() - t0;
    const share = (total - inside) / total;
    const cpuShare = outside / total;
    const workers = (pool.kernelMs - kernelMs) / STEPS;
    const where = pooled ? `per-pivot kernels in the pool's workers (${workers.toFixed(1)} ms per step in the slowest worker of each phase)` : 'step on the main thread';
    log(`  ${STEPS} NEB steps, ${INTERIOR} interior pivots, D = ${pool.dimension}, ${where}: ${(total / STEPS).toFixed(1)} ms per step, ` +
      `${((total - inside) / STEPS).toFixed(1)} ms outside gradient evaluation: wall share ${(100 * share).toFixed(1)} %; ` +
      `main thread ${BUSY_MEASURE} outside gradient evaluation ${(outside / STEPS).toFixed(2)} ms per step: main-thread CPU share ${(100 * cpuShare).toFixed(1)} % (goal <= 20 %)`);
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
