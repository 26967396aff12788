/**
 * A neural network's loss as an `Energy`, so NEB/AutoNEB run between trained minima. All points of
 * a call share one training batch. Where stacking pays (`stacksHere`: every model on webgpu, the
 * MLP on the cpu family) the points are evaluated stacked, a group at a time
 * (`stackedLossAndGradient`: one product of all points' first layers with the batch, groups
 * bounded by memory); otherwise one by one. On the cpu and wasm backends a point's result depends only
 * on the point, the seed and the call index, not on the other points of its group (tested), which
 * is what lets the worker pool give bit-identical results there. With native BLAS the results of
 * a group differ from one point's alone by float rounding (OpenBLAS picks its kernels and thread
 * split by matrix shape): a run is reproducible for a given pool size, and the pool equals one
 * thread within float tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteEnergyError, type Energy, type LossAndGradient, type Vector } from '../energy';
import { InvalidInputError } from '../errors';
import { batchTensors, chunks, loadDataset, makeBatch, sampleIndices, validateDataSpec, type Batch, type DataSpec, type Dataset } from './data';
import { recomputeSteps, type RecomputeOptions } from './evaluate';
import { checkCompatible } from './models/compat';
import { createModel, stackedGroupLimit, stacksHere, crossEntropy, gradientSteps, read, readLater, readNow, readsAsynchronously, stackedSteps, toParamTensors, type Reads, type StackedResult, validateModelSpec, type ModelSpec, type NeuralModel } from './models';
import { Random } from '../random';
import { RecycledVectors } from '../recycled-vectors';
import { firstNonFinite } from '../vector';

/** Serialisable description of a neural energy (also what the worker pool sends to threads). */
export interface NeuralEnergyDescription {
  model: ModelSpec;
  data: DataSpec;
  /** Seeds the batch of each call and the evaluation subset. */
  seed: number | string;
  /** Examples in the one batch shared by all points of a lossAndGradient call (default 512). */
  batchSize?: number;
  /** Size of the fixed training subset used by loss() (default 2048; capped at the split size). */
  evalSize?: number;
  /** Split the evaluation subset is drawn from (default 'train'). */
  evalSplit?: 'train' | 'test';
  /** Examples per forward pass in loss() (default 1000), to bound memory. */
  evalBatchSize?: number;
  /**
   * BatchNorm in loss(): 'interpolate' (default) uses the running statistics that are part of the
   * point (interpolated along the path, as the authors do); 'recompute' recomputes them from
   * training batches at each point. Gradients always use batch statistics (train mode).
   */
  batchNorm?: 'interpolate' | 'recompute';
  recompute?: RecomputeOptions;
  /**
   * Backend choice (see backend.ts initBackend: 'cpu', 'wasm', 'native-blas', ...) for the worker
   * threads of the pool; default: the creating thread's tfjs backend (and its wasm kernel fixes).
   */
  backend?: string;
}

/**
 * Stacked evaluation holds a few floats per coordinate per point in the wasm heap (parameters,
 * their gradient, the autodiff's intermediates): groups are limited to this many coordinates in
 * all (64 MB of parameters).
 */
const STACKED_COORDINATES = 1 << 24;

const DEFAULTS = { batchSize: 512, evalSize: 2048, evalSplit: 'train', evalBatchSize: 1000, batchNorm: 'interpolate' } as const;

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(field, `expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** A point of the wrong length is refused, naming it (the pool checks before it copies). */
export function checkLength(point: Vector, dimension: number, index: number): void {
  if (point.length !== dimension) throw new InvalidInputError(`points[${index}]`, `expected ${dimension} coordinates, got ${point.length}`);
}

/** Throws at the first non-finite value, unless `sum` (of all of them) is finite. */
function requireFinite(kind: 'coordinate' | 'gradient', values: Vector, sum: number, index: number, where: string): void {
  if (Number.isFinite(sum)) return;
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new NonFiniteEnergyError(kind, index, `coordinate ${bad}${where}`);
}

export class NeuralEnergy implements Energy {
  readonly model: NeuralModel;
  readonly dataset: Dataset;
  readonly dimension: number;
  readonly name: string;
  readonly description: NeuralEnergyDescription;
  readonly checksFinite = true;
  /** A fresh mini-batch per lossAndGradient call: stopping rules judge moving windows. */
  readonly stochastic = true;
  /** Number of lossAndGradient calls so far: call k uses batch k of the seed. */
  calls = 0;
  private readonly random: Random;
  private readonly batchSize: number;
  private readonly evalBatch: Batch;
  private readonly evalBatchSize: number;
  private readonly recycled = new RecycledVectors();
  private batchBuffer: Float32Array | undefined;

  constructor(description: NeuralEnergyDescription) {
    const model = createModel(validateModelSpec(description.model, 'energy.model'));
    const dataset = loadDataset(validateDataSpec(description.data, 'energy.data'));
    checkCompatible(model, dataset);
    this.model = model;
    this.dataset = dataset;
    this.description = description;
    this.dimension = model.layout.dimension;
    this.name = `${model.name} on ${dataset.name}`;
    this.random = new Random(description.seed);
    this.batchSize = Math.min(positiveInt('energy.batchSize', description.batchSize ?? DEFAULTS.batchSize), dataset.train.count);
    this.evalBatchSize = positiveInt('energy.evalBatchSize', description.evalBatchSize ?? DEFAULTS.evalBatchSize);
    const evalSplit = description.evalSplit ?? DEFAULTS.evalSplit;
    if (evalSplit !== 'train' && evalSplit !== 'test') throw new InvalidInputError('energy.evalSplit', `expected 'train' or 'test', got ${JSON.stringify(evalSplit)}`);
    const count = dataset[evalSplit].count;
    const evalSize = Math.min(positiveInt('energy.evalSize', description.evalSize ?? DEFAULTS.evalSize), count);
    this.evalBatch = makeBatch(dataset, evalSplit, sampleIndices(this.random.derive('eval'), count, evalSize));
    const bn = description.batchNorm ?? DEFAULTS.batchNorm;
    if (bn !== 'interpolate' && bn !== 'recompute') throw new InvalidInputError('energy.batchNorm', `expected 'interpolate' or 'recompute', got ${JSON.stringify(bn)}`);
  }

  /**
   * The training batch of call number `call` (shared by every point of that call); `into`: a
   * buffer for its examples, reused from call to call by lossAndGradientAt.
   */
  batchOfCall(call: number, into?: Float32Array): Batch {
    const indices = sampleIndices(this.random.derive('batch').derive(call), this.dataset.train.count, this.batchSize);
    const augment = this.dataset.augment ? this.random.derive('augment').derive(call) : undefined;
    return makeBatch(this.dataset, 'train', indices, augment, into);
  }

  async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
    if (!readsAsynchronously()) return this.lossAndGradientAt(this.calls++, points);
    const { vectors, release } = this.recycled.take(points.length, this.dimension);
    try {
      return { ...(await readLater(this.gradientSteps(this.calls++, points, 0, vectors))), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * lossAndGradient with the batch of an explicit call number (the pool uses this), gradients
   * written into `into` when given. Synchronous: not on webgpu (see models/readback).
   */
  lossAndGradientAt(call: number, points: readonly Vector[], firstIndex = 0, into?: Float32Array[]): LossAndGradient {
    if (into === undefined) {
      const { vectors, release } = this.recycled.take(points.length, this.dimension);
      return { ...this.lossAndGradientAt(call, points, firstIndex, vectors), release };
    }
    return readNow(this.gradientSteps(call, points, firstIndex, into));
  }

  /** The evaluation as read steps: one readback per group of stacked points (or per point). */
  private *gradientSteps(call: number, points: readonly Vector[], firstIndex: number, into: Float32Array[]): Reads<LossAndGradient> {
    const stack = stacksHere(this.model);
    points.forEach((p, i) => this.checkPoint(p, firstIndex + i, !stack));
    const batch = this.batchOfCall(call, this.batchBuffer);
    this.batchBuffer = batch.x;
    const { x, labels } = batchTensors(this.dataset, batch);
    const losses: number[] = [];
    const gradients: Vector[] = [];
    try {
      const group = stack ? Math.max(1, Math.min(Math.floor(STACKED_COORDINATES / this.dimension), stackedGroupLimit(this.model, this.batchSize))) : 1;
      for (let from = 0; from < points.length; from += group) {
        const some = points.slice(from, from + group) as Float32Array[];
        const targets = into?.slice(from, from + group);
        const r = stack ? yield* stackedSteps(this.model, some, x, labels, targets) : yield* this.evaluateOne(some[0], x, labels, targets?.[0]);
        if (stack) some.forEach((p, k) => requireFinite('coordinate', p, r.pointSums[k], firstIndex + from + k, ''));
        r.losses.forEach((loss, k) => {
          const index = firstIndex + from + k;
          if (!Number.isFinite(loss)) throw new NonFiniteEnergyError('loss', index, `batch of call ${call}`);
          requireFinite('gradient', r.gradients[k], r.gradientSums[k], index, `, batch of call ${call}`);
          losses.push(loss);
          gradients.push(r.gradients[k]);
        });
      }
    } finally {
      tf.dispose([x, labels]);
    }
    return { losses, gradients };
  }

  /** One point's loss and gradient, shaped like a stacked result (no sums: checks scan). */
  private *evaluateOne(point: Float32Array, x: tf.Tensor, labels: tf.Tensor1D, into?: Float32Array): Reads<StackedResult> {
    const one = yield* gradientSteps(this.model, point, x, labels);
    into?.set(one.gradient);
    return { losses: [one.loss], gradients: [into ?? one.gradient], pointSums: [Number.NaN], gradientSums: [Number.NaN] };
  }

  async loss(points: readonly Vector[]): Promise<number[]> {
    return read(this.lossSteps(points, 0));
  }

  /** Mean cross-entropy of each point on the fixed evaluation subset (BatchNorm in eval mode). */
  lossAt(points: readonly Vector[], firstIndex = 0): number[] {
    return readNow(this.lossSteps(points, firstIndex));
  }

  private *lossSteps(points: readonly Vector[], firstIndex: number): Reads<number[]> {
    const [h, w, c] = this.dataset.shape;
    const size = h * w * c;
    const total = this.evalBatch.count;
    const out: number[] = [];
    for (const [i, point] of points.entries()) {
      this.checkPoint(point, firstIndex + i);
      const p = this.description.batchNorm === 'recompute' ? yield* recomputeSteps(this.model, point, this.dataset, { seed: this.description.seed, ...this.description.recompute }) : point;
      const named = toParamTensors(this.model, p);
      let sum = 0;
      try {
        for (const idx of chunks(total, this.evalBatchSize)) {
          const from = idx[0];
          const n = idx.length;
          const chunkLoss = tf.tidy(() => {
            const x = tf.tensor4d(this.evalBatch.x.subarray(from * size, (from + n) * size), [n, h, w, c]);
            const labels = tf.tensor1d(this.evalBatch.labels.subarray(from, from + n), 'int32');
            return crossEntropy(this.model.apply(named, x, { training: false }), labels);
          });
          try {
            sum += n * (yield [chunkLoss])[0][0];
          } finally {
            chunkLoss.dispose();
          }
        }
      } finally {
        tf.dispose([...named.values()]);
      }
      const loss = sum / total;
      if (!Number.isFinite(loss)) throw new NonFiniteEnergyError('loss', firstIndex + i, 'evaluation subset');
      out.push(loss);
    }
    return out;
  }

  /** Length, and (unless the evaluation checks it from its sums) finiteness of a point. */
  private checkPoint(point: Vector, index: number, scan = true): void {
    checkLength(point, this.dimension, index);
    if (scan) requireFinite('coordinate', point, Number.NaN, index, '');
  }

  dispose(): void {
    // Tensors live only within calls; nothing is held between them.
  }
}
