// A landscape over a neural network: the engine's NeuralEnergy (or its worker-thread pool) for
// AutoNEB, trainMinimum for minima, evaluate for full train/test metrics.
import { availableParallelism } from 'node:os';
import { ENV } from '../config';
import * as tf from '@tensorflow/tfjs';
import {
  batchTensors,
  chunks,
  createModel,
  makeBatch,
  recomputeBatchNorm,
  evaluate,
  loadDataset,
  NeuralEnergy,
  PooledNeuralEnergy,
  trainMinimum,
  type Energy,
  type NeuralEnergyDescription,
  type Vector,
} from '../engine';
import { alignMinimum } from '../engine/neural/alignment';
import { lerp } from '../engine/vector';
import type { Landscape } from '../store/entities';
import { engineDataSpec, engineModelSpec, engineTrainConfig } from '../store/engine-specs';
import { linePositions, type LineMetrics, type Metrics, type ParameterTensor, type Problem, type TrainingProgress } from './problems';

/** Training examples whose activations activation matching correlates (the first ones of the set). */
export const ACTIVATION_EXAMPLES = 1024;

/**
 * Worker threads per neural energy (NEB_ATLAS_THREADS; 1 computes in the worker's own thread). The
 * default is one per core, each with 1 BLAS thread (native/binding.ts) and its share of a step's
 * pivots, which measured best or equal on every benchmark net (2-core machine, engine path, 16
 * pivots, gradients/s; pool of 2 / one thread with 2 BLAS threads / one thread with 1): MLP
 * 784-100-10 984 / 983 / 762, MLP 784-256-256-10 341 / 318 / 214, CNN 53 / 37 / 37. The CNN's
 * products are too small for two BLAS threads to share; whole pivots are not. Several compute
 * slots in one process (NEB_ATLAS_WORKERS) share the cores: each gets cores / slots threads.
 */
export const THREADS_ENV = 'NEB_ATLAS_THREADS';

function defaultThreads(): number {
  const slots = Math.max(1, Number(process.env[ENV.WORKERS] ?? 1) || 1);
  return Math.max(1, Math.floor(availableParallelism() / slots));
}

export function buildNeuralProblem(landscape: Landscape): Problem {
  const architecture = landscape.architecture;
  if (architecture.kind === 'surface' || !landscape.dataset) throw new Error(`landscape ${landscape.id} is no neural landscape`);
  const model = createModel(engineModelSpec(architecture, landscape.dataset));
  const data = engineDataSpec(landscape.dataset);
  const dataset = loadDataset(data);
  const description: NeuralEnergyDescription = { model: model.spec, data, seed: `landscape:${landscape.id}` };
  const threads = process.env[THREADS_ENV] === undefined ? defaultThreads() : Number(process.env[THREADS_ENV]);
  const energy: Energy & { dispose?(): void } =
    threads > 1 ? new PooledNeuralEnergy(description, { size: Math.min(threads, availableParallelism()) }) : new NeuralEnergy(description);
  const layout: ParameterTensor[] = model.layout.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset, size: e.size }));

  return {
    dimension: model.layout.dimension,
    energy,
    layout,
    async trainMinimum(seed, training, options): Promise<Vector> {
      const trainConfig = engineTrainConfig(training);
      const result = await trainMinimum(model, dataset, trainConfig, seed, {
        signal: options.signal,
        onProgress: (p) => options.onProgress?.({ step: p.step, steps: trainConfig.steps, loss: p.loss, learningRate: p.lr } satisfies TrainingProgress),
      });
      return result.params;
    },
    async evaluate(point): Promise<Metrics> {
      const { train, test } = evaluate(model, dataset, point);
      return { trainLoss: train.loss, testLoss: test.loss, trainError: train.error, testError: test.error };
    },
    async evaluateMany(points): Promise<Metrics[]> {
      const out: Metrics[] = [];
      for (const point of points) {
        out.push(await this.evaluate(point));
        // Evaluating a dense profile takes a while: let other work (events, cancels) run between points.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return out;
    },
    async evaluateLine(a, b, count) {
      const hasBatchNorm = model.layout.entries.some((e) => e.role === 'running_mean');
      const points: LineMetrics[] = [];
      for (const t of linePositions(count)) {
        let point = lerp(a, b, t);
        // Interpolated running statistics do not describe the interpolated network: recompute them
        // there (Garipov et al.'s update_bn); the endpoints keep their own.
        if (hasBatchNorm && t > 0 && t < 1) point = recomputeBatchNorm(model, point, dataset, { seed: `line:${t}` });
        points.push({ t, ...(await this.evaluate(point)) });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return { points, batchNorm: hasBatchNorm ? 'RECOMPUTED' : 'NONE' };
    },
    async align(moving, reference, options) {
      let examples: tf.Tensor | undefined;
      try {
        if (options.method === 'activation-matching') {
          const [indices] = chunks(Math.min(ACTIVATION_EXAMPLES, dataset.train.count), ACTIVATION_EXAMPLES);
          const batch = batchTensors(dataset, makeBatch(dataset, 'train', indices));
          batch.labels.dispose();
          examples = batch.x;
        }
        const aligned = alignMinimum(model, moving, reference, { method: options.method, seed: options.seed, examples });
        return { point: aligned.params, sweeps: aligned.sweeps, seconds: aligned.seconds };
      } finally {
        examples?.dispose();
      }
    },
    dispose(): void {
      energy.dispose?.();
    },
  };
}
