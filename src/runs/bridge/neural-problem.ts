// A landscape over a neural network: the engine's NeuralEnergy (or its worker-thread pool) for
// AutoNEB, trainMinimum for minima, evaluate for full train/test metrics.
import * as tf from '@tensorflow/tfjs';
import {
  batchTensors,
  chunks,
  createModel,
  evaluateAsync,
  fixedBatchGradients,
  makeBatch,
  recomputeBatchNorm,
  loadDataset,
  NeuralEnergy,
  PooledNeuralEnergy,
  trainMinimum,
  type NeuralEnergyDescription,
} from '../../engine/neural';
import type { Energy, GradientSource, Vector } from '../../engine';
import type { Landscape } from '../../store/entities';
import { engineThreads } from './engine';
import { engineDataSpec, engineModelSpec, engineTrainConfig } from './specs';
import { alignMinimum } from '../../engine/neural/alignment';
import { lerp } from '../../engine/vector';
import { linePositions } from '../../engine/linear-connectivity';
import type { LineMetrics, Metrics, ParameterTensor, Problem, TrainingProgress } from './problems';

/** Training examples whose activations activation matching correlates (the first ones of the set). */
export const ACTIVATION_EXAMPLES = 1024;

export function buildNeuralProblem(landscape: Landscape): Problem {
  const architecture = landscape.architecture;
  if (architecture.kind === 'surface' || !landscape.dataset) throw new Error(`landscape ${landscape.id} is no neural landscape`);
  const model = createModel(engineModelSpec(architecture, landscape.dataset));
  const data = engineDataSpec(landscape.dataset);
  const dataset = loadDataset(data);
  const description: NeuralEnergyDescription = { model: model.spec, data, seed: `landscape:${landscape.id}` };
  const threads = engineThreads();
  const energy: Energy & { dispose?(): void } =
    threads > 1 ? new PooledNeuralEnergy(description, { size: threads }) : new NeuralEnergy(description);
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
      const { train, test } = await evaluateAsync(model, dataset, point);
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
    ...(model.layout.entries.some((e) => e.role === 'running_mean')
      ? { recomputeStatistics: (point: Vector, seed: string) => recomputeBatchNorm(model, point, dataset, { seed }) }
      : {}),
    curveEnergy(batchSize, seed) {
      // The model's own mini-batch loss and gradient (NeuralEnergy), single-threaded: one point per call.
      return { energy: new NeuralEnergy({ ...description, batchSize, seed }), trainCount: dataset.train.count };
    },
    curvatureSource(at): GradientSource {
      // Its own single-thread energy: the products are sequential (Lanczos), on the batch of call 0;
      // BatchNorm in inference mode with the running statistics of `at`.
      return fixedBatchGradients(new NeuralEnergy(description), 0, Float32Array.from(at));
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
