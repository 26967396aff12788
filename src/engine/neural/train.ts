/**
 * Training a minimum from a seed: SGD with momentum and weight decay (PyTorch's update rule), a
 * step schedule (lr times gamma at each milestone), BatchNorm running statistics updated as
 * PyTorch does (momentum 0.1, unbiased batch variance). The master parameters are a Float32Array
 * updated in JS, so the result is a plain vector and bit-for-bit reproducible on one backend.
 */
import { NonFiniteEnergyError } from '../energy';
import { InvalidInputError } from '../errors';
import { BatchSampler, batchTensors, loadDataset, makeBatch, type DataSpec, type Dataset } from './data';
import { createModel, initialParameters, lossAndGradient, trainableMask, findEntry, type ModelSpec, type NeuralModel, type LossAndGradientResult } from './models';
import { Random } from '../random';
import { checkCompatible } from './models/compat';
import * as tf from '@tensorflow/tfjs';

export interface TrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Steps at which the learning rate is multiplied by `gamma` (steps >= milestone use it). */
  milestones: number[];
  gamma: number;
  /** Report progress every this many steps (and at the last step). */
  progressEvery: number;
}

/** The authors' minima (He et al. 2016 schedule) and small presets for CPU runs and tests. */
export const TRAIN_PRESETS: Readonly<Record<string, Readonly<TrainConfig>>> = {
  paper: { steps: 64000, batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, milestones: [32000, 48000], gamma: 0.1, progressEvery: 100 },
  'mnist-small': { steps: 1000, batchSize: 64, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [600, 850], gamma: 0.1, progressEvery: 100 },
  'cifar-small': { steps: 4000, batchSize: 128, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, milestones: [2000, 3000], gamma: 0.1, progressEvery: 100 },
  tiny: { steps: 200, batchSize: 32, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [100, 150], gamma: 0.1, progressEvery: 20 },
};

/** A preset name, or a preset (`preset`, default 'paper') with overrides; validated. */
export function resolveTrainConfig(config: string | (Partial<TrainConfig> & { preset?: string }) = 'paper'): TrainConfig {
  const { preset = 'paper', ...overrides } = typeof config === 'string' ? { preset: config } : config;
  const base = TRAIN_PRESETS[preset];
  if (!base) throw new InvalidInputError('train.preset', `expected one of ${Object.keys(TRAIN_PRESETS).join(', ')}, got ${JSON.stringify(preset)}`);
  const c: TrainConfig = { ...base, milestones: [...base.milestones], ...overrides };
  for (const key of ['steps', 'batchSize', 'progressEvery'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new InvalidInputError(`train.${key}`, `expected a positive integer, got ${JSON.stringify(c[key])}`);
  }
  for (const key of ['lr', 'momentum', 'weightDecay', 'gamma'] as const) {
    if (typeof c[key] !== 'number' || !Number.isFinite(c[key]) || c[key] < 0) {
      throw new InvalidInputError(`train.${key}`, `expected a finite number >= 0, got ${JSON.stringify(c[key])}`);
    }
  }
  if (!Array.isArray(c.milestones) || c.milestones.some((m) => !Number.isInteger(m) || m < 0)) {
    throw new InvalidInputError('train.milestones', `expected an array of step numbers, got ${JSON.stringify(c.milestones)}`);
  }
  return c;
}

/** Learning rate at a (0-based) step. */
export function learningRate(config: TrainConfig, step: number): number {
  return config.lr * Math.pow(config.gamma, config.milestones.filter((m) => step >= m).length);
}

export interface TrainProgress {
  step: number;
  /** Mean training-batch loss over the steps since the previous record. */
  loss: number;
  lr: number;
  elapsedMs: number;
}

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
  /** Start from these parameters instead of the seeded initialisation. */
  initial?: Float32Array;
}

export interface TrainResult {
  params: Float32Array;
  history: TrainProgress[];
  steps: number;
  elapsedMs: number;
}

/** PyTorch BatchNorm running-statistics update from one batch's statistics. */
export function updateRunningStatistics(model: NeuralModel, params: Float32Array, statistics: LossAndGradientResult['statistics'], momentum = 0.1): void {
  for (const s of statistics) {
    const mean = findEntry(model.layout, `${s.prefix}.running_mean`);
    const variance = findEntry(model.layout, `${s.prefix}.running_var`);
    const unbias = s.count > 1 ? s.count / (s.count - 1) : 1;
    for (let c = 0; c < s.mean.length; c++) {
      params[mean.offset + c] = (1 - momentum) * params[mean.offset + c] + momentum * s.mean[c];
      params[variance.offset + c] = (1 - momentum) * params[variance.offset + c] + momentum * s.variance[c] * unbias;
    }
  }
}

/**
 * Trains a minimum of `model` on `data` from `seed`: initial weights, batch order and augmentation
 * all derive from the seed. Rejects with NonFiniteEnergyError on a NaN/Inf loss and with the
 * signal's reason when aborted.
 */
export async function trainMinimum(
  modelSpec: ModelSpec | NeuralModel,
  data: DataSpec | Dataset,
  config: string | (Partial<TrainConfig> & { preset?: string }),
  seed: number | string,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const model = 'layout' in modelSpec ? modelSpec : createModel(modelSpec);
  const dataset = 'train' in data ? data : loadDataset(data);
  checkCompatible(model, dataset);
  const c = resolveTrainConfig(config);
  const random = new Random(seed);
  const params = options.initial ? Float32Array.from(options.initial) : initialParameters(model, random);
  const mask = trainableMask(model.layout);
  const velocity = new Float32Array(params.length);
  const sampler = new BatchSampler(dataset.train.count, c.batchSize, random.derive('batches'));
  const augment = dataset.augment ? random.derive('augment') : undefined;
  const history: TrainProgress[] = [];
  const start = Date.now();
  let lossSum = 0;
  let lossCount = 0;
  for (let step = 0; step < c.steps; step++) {
    options.signal?.throwIfAborted();
    const lr = learningRate(c, step);
    const batch = makeBatch(dataset, 'train', sampler.next(), augment);
    const { x, labels } = batchTensors(dataset, batch);
    let result: LossAndGradientResult;
    try {
      result = lossAndGradient(model, params, x, labels);
    } finally {
      tf.dispose([x, labels]);
    }
    if (!Number.isFinite(result.loss)) throw new NonFiniteEnergyError('loss', 0, `training step ${step} (lr ${lr})`);
    const g = result.gradient;
    for (let i = 0; i < params.length; i++) {
      if (!mask[i]) continue;
      const d = g[i] + c.weightDecay * params[i];
      velocity[i] = step === 0 ? d : c.momentum * velocity[i] + d;
      params[i] -= lr * velocity[i];
    }
    updateRunningStatistics(model, params, result.statistics);
    lossSum += result.loss;
    lossCount++;
    if ((step + 1) % c.progressEvery === 0 || step + 1 === c.steps) {
      const record = { step: step + 1, loss: lossSum / lossCount, lr, elapsedMs: Date.now() - start };
      history.push(record);
      options.onProgress?.(record);
      lossSum = 0;
      lossCount = 0;
    }
    // Let timers and abort events run between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { params, history, steps: c.steps, elapsedMs: Date.now() - start };
}
