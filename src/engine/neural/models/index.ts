/**
 * Models as functions of ONE flat float32 parameter vector. The vector is cut into PyTorch-named
 * tensors on the JS side (tf.tensor on subarrays) and gradients are assembled back into one flat
 * vector: measured faster than slicing a tensor inside the graph (slice/split gradients cost
 * O(entries x D) on cpu, and wasm slices are slow), with identical results.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../../errors';
import { Random } from '../../random';
import { createCnn } from './cnn';
import { initialiseParameters, type ParameterLayout } from './layout';
import { createMlp } from './mlp';
import type { NeuralModel } from './model';
import { crossEntropy, type BatchStatistics, type ParamTensors } from './ops';
import { read, readNow, type Reads } from './readback';
import { createResNet } from './resnet';
import { validateModelSpec, type ModelSpec } from './spec';

export type { NeuralModel } from './model';
export type { ModelSpec, MlpSpec, CnnSpec, ResNetSpec, ModelKind } from './spec';
export { validateModelSpec, MODEL_KINDS } from './spec';
export type { ParameterLayout, ParameterEntry, ParameterRole } from './layout';
export { trainableMask, findEntry } from './layout';
export type { BatchStatistics, ForwardMode, ParamTensors } from './ops';
export { crossEntropy, errorCount, BN_EPSILON } from './ops';
export { canStack, stackedGroupLimit, stackedLossAndGradient, stackedSteps, stacksHere, type StackedResult } from './stacked';
export { read, readLater, readNow, readsAsynchronously, type Reads, type Values } from './readback';

const factories: { [K in ModelSpec['kind']]: (spec: Extract<ModelSpec, { kind: K }>) => NeuralModel } = {
  mlp: createMlp,
  cnn: createCnn,
  resnet: createResNet,
};

/** The model for a spec (validated first). */
export function createModel(spec: ModelSpec | unknown): NeuralModel {
  const valid = validateModelSpec(spec);
  return (factories[valid.kind] as (s: ModelSpec) => NeuralModel)(valid);
}

/** Names, shapes and offsets of the flat parameter vector, in order. */
export function parameterLayout(spec: ModelSpec): ParameterLayout {
  return createModel(spec).layout;
}

/** Seeded initial parameters (PyTorch default init; He-normal convs for ResNet). */
export function initialParameters(model: NeuralModel, seed: number | string | Random): Float32Array {
  const random = seed instanceof Random ? seed : new Random(seed);
  return initialiseParameters(model.layout, random.derive('init'));
}

/** Checks that a flat vector fits the model; `field` names it in the error. */
export function checkParameters(model: NeuralModel, params: ArrayLike<number>, field = 'parameters'): void {
  if (params.length !== model.layout.dimension) {
    throw new InvalidInputError(field, `expected ${model.layout.dimension} values for ${model.name}, got ${params.length}`);
  }
}

/** Named tensors viewing a flat vector (a tensor is read back first). Dispose with tf.dispose. */
export function toParamTensors(model: NeuralModel, params: Float32Array | tf.Tensor, trainableOnly = false): Map<string, tf.Tensor> {
  const flat = params instanceof Float32Array ? params : (params.dataSync() as Float32Array);
  checkParameters(model, flat);
  const out = new Map<string, tf.Tensor>();
  for (const e of model.layout.entries) {
    if (trainableOnly && !e.trainable) continue;
    out.set(e.name, tf.tensor(flat.subarray(e.offset, e.offset + e.size), e.shape as number[], 'float32'));
  }
  return out;
}

/**
 * Logits [N, classes]. `training` selects BatchNorm batch statistics (default false: the running
 * statistics stored in `params`, PyTorch eval mode). The caller disposes the result.
 */
export function forward(model: NeuralModel, params: Float32Array | tf.Tensor, x: tf.Tensor, training = false): tf.Tensor2D {
  return tf.tidy(() => model.apply(toParamTensors(model, params), x, { training }));
}

export interface LossAndGradientResult {
  loss: number;
  /** Flat gradient; zero at BatchNorm running statistics. */
  gradient: Float32Array;
  /** Per BatchNorm layer, the batch mean and (biased) variance, for running-statistics updates. */
  statistics: { prefix: string; mean: Float32Array; variance: Float32Array; count: number }[];
}

/**
 * Mean cross-entropy on one batch and its gradient w.r.t. the flat vector, in training mode
 * (BatchNorm uses batch statistics, as in PyTorch's model.train()).
 */
export function lossAndGradient(model: NeuralModel, params: Float32Array, x: tf.Tensor, labels: tf.Tensor1D): LossAndGradientResult {
  return readNow(gradientSteps(model, params, x, labels));
}

/** lossAndGradient on any backend (asynchronous readback where the backend needs it: webgpu). */
export function lossAndGradientAsync(model: NeuralModel, params: Float32Array, x: tf.Tensor, labels: tf.Tensor1D): Promise<LossAndGradientResult> {
  return read(gradientSteps(model, params, x, labels));
}

/**
 * lossAndGradient as read steps (see ./readback): one readback of loss, gradients and statistics.
 * `training` false: BatchNorm with the running statistics of `params` (eval mode; none recorded).
 */
export function* gradientSteps(model: NeuralModel, params: Float32Array, x: tf.Tensor, labels: tf.Tensor1D, training = true): Reads<LossAndGradientResult> {
  const statistics: BatchStatistics[] = [];
  const trainable = model.layout.entries.filter((e) => e.trainable);
  let kept: tf.Tensor[] = [];
  try {
    // The tensors are kept inside and handed out by closure, not returned from tidy: tidy walks
    // whatever it returns element by element looking for tensors (for a Float32Array of D
    // coordinates that walk cost 20x the gradient itself, MLP 784-100-10).
    tf.tidy(() => {
      const named = toParamTensors(model, params);
      const order = trainable.map((e) => named.get(e.name) as tf.Tensor);
      const f = (...values: tf.Tensor[]): tf.Scalar => {
        const current: ParamTensors = new Map([...named, ...trainable.map((e, i) => [e.name, values[i]] as const)]);
        return crossEntropy(model.apply(current, x, { training, statistics }), labels);
      };
      const { value, grads } = tf.valueAndGrads(f)(order);
      kept = [value, ...grads].map((t) => tf.keep(t));
    });
    const values = yield [...kept, ...statistics.flatMap((s) => [s.mean, s.variance])];
    const gradient = new Float32Array(model.layout.dimension);
    trainable.forEach((e, i) => gradient.set(values[1 + i] as Float32Array, e.offset));
    const at = 1 + trainable.length;
    return {
      loss: values[0][0],
      gradient,
      statistics: statistics.map((s, k) => ({
        prefix: s.prefix,
        mean: values[at + 2 * k] as Float32Array,
        variance: values[at + 2 * k + 1] as Float32Array,
        count: s.count,
      })),
    };
  } finally {
    tf.dispose(kept);
    for (const s of statistics) tf.dispose([s.mean, s.variance]);
  }
}

/** Mean cross-entropy on one batch (no gradient); `training` as in `forward`. */
export function batchLoss(model: NeuralModel, params: Float32Array, x: tf.Tensor, labels: tf.Tensor1D, training = false): number {
  return tf.tidy(() => crossEntropy(model.apply(toParamTensors(model, params), x, { training }), labels).dataSync()[0]);
}
