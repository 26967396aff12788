/**
 * Evaluation of parameter vectors on whole splits (mean cross-entropy and error rate, in batches
 * to bound memory), BatchNorm statistics recomputed at a point, and the linear-interpolation
 * profile between two minima.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensors, chunks, loadDataset, makeBatch, sampleIndices, type DataSpec, type Dataset } from './data';
import { checkCompatible } from './models/compat';
import { createModel, crossEntropy, errorCount, findEntry, read, readNow, toParamTensors, checkParameters, type ModelSpec, type NeuralModel, type Reads } from './models';
import type { BatchStatistics } from './models/ops';
import { Random } from '../random';
import { lerp } from '../vector';

export interface SplitMetrics {
  /** Mean cross-entropy. */
  loss: number;
  /** Fraction of examples whose arg-max is wrong. */
  error: number;
  count: number;
}

export interface EvaluateOptions {
  /** Examples per forward pass (default 1000). */
  batchSize?: number;
  /** Evaluate only the first n examples of each split. */
  limit?: number;
}

function resolve(modelSpec: ModelSpec | NeuralModel, data: DataSpec | Dataset): { model: NeuralModel; dataset: Dataset } {
  const model = 'layout' in modelSpec ? modelSpec : createModel(modelSpec);
  const dataset = 'train' in data ? data : loadDataset(data);
  checkCompatible(model, dataset);
  return { model, dataset };
}

/**
 * Loss and error of `params` on a split, BatchNorm in eval mode (running statistics from the
 * vector). Per-batch sums are accumulated in float64.
 */
export function evaluateSplit(model: NeuralModel, params: Float32Array, dataset: Dataset, part: 'train' | 'test', options: EvaluateOptions = {}): SplitMetrics {
  return readNow(splitSteps(model, params, dataset, part, options));
}

/** evaluateSplit as read steps (models/readback): one readback per batch. */
function* splitSteps(model: NeuralModel, params: Float32Array, dataset: Dataset, part: 'train' | 'test', options: EvaluateOptions): Reads<SplitMetrics> {
  checkParameters(model, params);
  const count = Math.min(dataset[part].count, options.limit ?? Infinity);
  let lossSum = 0;
  let errors = 0;
  const named = toParamTensors(model, params);
  try {
    for (const indices of chunks(count, options.batchSize ?? 1000)) {
      const metrics = tf.tidy(() => {
        const { x, labels } = batchTensors(dataset, makeBatch(dataset, part, indices));
        const logits = model.apply(named, x, { training: false });
        return [crossEntropy(logits, labels), errorCount(logits, labels)];
      });
      try {
        const [loss, wrong] = yield metrics;
        lossSum += loss[0] * indices.length;
        errors += wrong[0];
      } finally {
        tf.dispose(metrics);
      }
    }
  } finally {
    tf.dispose([...named.values()]);
  }
  return { loss: lossSum / count, error: errors / count, count };
}

/** Train and test loss and error of one parameter vector. */
export function evaluate(
  modelSpec: ModelSpec | NeuralModel,
  data: DataSpec | Dataset,
  params: Float32Array,
  options: EvaluateOptions = {},
): { train: SplitMetrics; test: SplitMetrics } {
  return readNow(evaluateSteps(modelSpec, data, params, options));
}

/** evaluate on any backend (asynchronous readback where the backend needs it: webgpu). */
export function evaluateAsync(
  modelSpec: ModelSpec | NeuralModel,
  data: DataSpec | Dataset,
  params: Float32Array,
  options: EvaluateOptions = {},
): Promise<{ train: SplitMetrics; test: SplitMetrics }> {
  return read(evaluateSteps(modelSpec, data, params, options));
}

function* evaluateSteps(modelSpec: ModelSpec | NeuralModel, data: DataSpec | Dataset, params: Float32Array, options: EvaluateOptions): Reads<{ train: SplitMetrics; test: SplitMetrics }> {
  const { model, dataset } = resolve(modelSpec, data);
  return { train: yield* splitSteps(model, params, dataset, 'train', options), test: yield* splitSteps(model, params, dataset, 'test', options) };
}

export interface RecomputeOptions {
  /** Training batches averaged (default 50). */
  batches?: number;
  batchSize?: number;
  seed?: number | string;
}

/**
 * A copy of `params` whose BatchNorm running statistics are recomputed at this point: the
 * cumulative average of batch statistics over seeded training batches (no augmentation), as
 * PyTorch's `update_bn` (momentum None) does. Unchanged for models without BatchNorm.
 */
export function recomputeBatchNorm(model: NeuralModel, params: Float32Array, dataset: Dataset, options: RecomputeOptions = {}): Float32Array {
  return readNow(recomputeSteps(model, params, dataset, options));
}

/**
 * Every BatchNorm layer's statistics on one batch: a forward pass in train mode. No gradient (a
 * third of a gradient pass's work): update_bn needs only the statistics.
 */
function* batchStatisticsSteps(model: NeuralModel, params: Float32Array, x: tf.Tensor): Reads<{ prefix: string; mean: Float32Array; variance: Float32Array; count: number }[]> {
  const statistics: BatchStatistics[] = [];
  try {
    tf.tidy(() => {
      model.apply(toParamTensors(model, params), x, { training: true, statistics });
    });
    const values = yield statistics.flatMap((s) => [s.mean, s.variance]);
    return statistics.map((s, k) => ({ prefix: s.prefix, mean: values[2 * k] as Float32Array, variance: values[2 * k + 1] as Float32Array, count: s.count }));
  } finally {
    for (const s of statistics) tf.dispose([s.mean, s.variance]);
  }
}

/** recomputeBatchNorm as read steps (models/readback). */
export function* recomputeSteps(model: NeuralModel, params: Float32Array, dataset: Dataset, options: RecomputeOptions = {}): Reads<Float32Array> {
  const out = Float32Array.from(params);
  if (!model.layout.entries.some((e) => e.role === 'running_mean')) return out;
  const batches = options.batches ?? 50;
  const batchSize = Math.min(options.batchSize ?? 128, dataset.train.count);
  const random = new Random(options.seed ?? 0).derive('recompute-bn');
  const sums = new Map<string, { mean: Float64Array; variance: Float64Array }>();
  for (let b = 0; b < batches; b++) {
    const { x, labels } = batchTensors(dataset, makeBatch(dataset, 'train', sampleIndices(random, dataset.train.count, batchSize)));
    try {
      for (const s of yield* batchStatisticsSteps(model, params, x)) {
        const acc = sums.get(s.prefix) ?? { mean: new Float64Array(s.mean.length), variance: new Float64Array(s.mean.length) };
        const unbias = s.count > 1 ? s.count / (s.count - 1) : 1;
        s.mean.forEach((v, c) => (acc.mean[c] += v / batches));
        s.variance.forEach((v, c) => (acc.variance[c] += (v * unbias) / batches));
        sums.set(s.prefix, acc);
      }
    } finally {
      tf.dispose([x, labels]);
    }
  }
  for (const [prefix, acc] of sums) {
    out.set(acc.mean, findEntry(model.layout, `${prefix}.running_mean`).offset);
    out.set(acc.variance, findEntry(model.layout, `${prefix}.running_var`).offset);
  }
  return out;
}

export interface ProfilePoint {
  /** Position on the segment, 0 at `a`, 1 at `b`. */
  t: number;
  trainLoss: number;
  trainError: number;
}

export interface InterpolationOptions extends EvaluateOptions {
  /** Number of points including both ends (default 11). */
  points?: number;
  /** Recompute BatchNorm statistics at each point instead of interpolating them. */
  recomputeBatchNorm?: boolean | RecomputeOptions;
}

/**
 * Train loss and error at `points` equally spaced points of the straight segment from `a` to
 * `b`; `barrier` is the highest train loss on it (the linear-interpolation barrier).
 */
export function interpolationProfile(
  modelSpec: ModelSpec | NeuralModel,
  data: DataSpec | Dataset,
  a: Float32Array,
  b: Float32Array,
  options: InterpolationOptions = {},
): { points: ProfilePoint[]; barrier: number } {
  const { model, dataset } = resolve(modelSpec, data);
  const n = options.points ?? 11;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`points: expected an integer >= 2, got ${n}`);
  const points: ProfilePoint[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    let p = lerp(a, b, t);
    if (options.recomputeBatchNorm) p = recomputeBatchNorm(model, p, dataset, options.recomputeBatchNorm === true ? {} : options.recomputeBatchNorm);
    const m = evaluateSplit(model, p, dataset, 'train', options);
    points.push({ t, trainLoss: m.loss, trainError: m.error });
  }
  return { points, barrier: Math.max(...points.map((p) => p.trainLoss)) };
}
