/**
 * Layers as functions of named parameter tensors, with PyTorch semantics (weight layouts,
 * padding, flatten order, BatchNorm) so that parameters import from and export to PyTorch.
 * Images are NHWC in tfjs; PyTorch is NCHW, which matters only where a layer flattens.
 */
import * as tf from '@tensorflow/tfjs';

/** Parameter tensors of one evaluated point, by PyTorch name. */
export type ParamTensors = ReadonlyMap<string, tf.Tensor>;

/** Batch statistics of one BatchNorm layer (variance biased, as used for normalising). */
export interface BatchStatistics {
  readonly prefix: string;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  /** Number of values each statistic averages (N * H * W), for the unbiased running variance. */
  readonly count: number;
}

export interface ForwardMode {
  /**
   * true: BatchNorm normalises with batch statistics (PyTorch train mode) and records them in
   * `statistics`; false: with the running statistics stored in the parameters (eval mode).
   */
  readonly training: boolean;
  readonly statistics?: BatchStatistics[];
  /**
   * Filled, when given, with each hidden activation after its ReLU by the name of the site that
   * produces it (PermutationSpec.sites), for activation matching. Tensors are the caller's to dispose.
   */
  readonly activations?: Map<string, tf.Tensor>;
}

export const BN_EPSILON = 1e-5;

export function param(params: ParamTensors, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`missing parameter tensor ${name}`);
  return t;
}

/**
 * y = x W^T + b with W [out, in] (PyTorch layout). The transpose is a flag of the product, not a
 * copy: the native-BLAS and the fixed wasm BatchMatMul kernels take transposed operands, and
 * tfjs's own MatMul gradient computes an input's gradient only when something needs it, so the
 * data fed to the first layer gets none. (An earlier custom gradient with explicit transposes,
 * written for stock wasm's slow transposed matMul, always computed dX too: for MLP 784-100-10
 * that was 50% more GEMM work plus two transposes per layer.)
 */
export function linear(params: ParamTensors, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, param(params, `${prefix}.weight`), false, true), param(params, `${prefix}.bias`)) as tf.Tensor2D;
}

/** Conv2d with PyTorch weight layout [out, in, kh, kw] and symmetric zero padding. */
export function conv2d(params: ParamTensors, prefix: string, x: tf.Tensor4D, stride: number, padding: number, bias: boolean): tf.Tensor4D {
  const filter = tf.transpose(param(params, `${prefix}.weight`), [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.conv2d(x, filter, stride, padding === 0 ? 'valid' : padding);
  return bias ? (tf.add(y, param(params, `${prefix}.bias`)) as tf.Tensor4D) : y;
}

/** BatchNorm2d over NHWC (statistics over N, H, W per channel). */
export function batchNorm(params: ParamTensors, prefix: string, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (mode.training) {
    const moments = tf.moments(x, [0, 1, 2]);
    mean = moments.mean;
    variance = moments.variance;
    if (mode.statistics) {
      mode.statistics.push({
        prefix,
        mean: tf.keep(mean) as tf.Tensor1D,
        variance: tf.keep(variance) as tf.Tensor1D,
        count: x.shape[0] * x.shape[1] * x.shape[2],
      });
    }
  } else {
    mean = param(params, `${prefix}.running_mean`);
    variance = param(params, `${prefix}.running_var`);
  }
  const scale = tf.mul(tf.rsqrt(tf.add(variance, BN_EPSILON)), param(params, `${prefix}.weight`));
  return tf.add(tf.mul(tf.sub(x, mean), scale), param(params, `${prefix}.bias`)) as tf.Tensor4D;
}

/** Flattens [N, H, W, C] in PyTorch's order (C, H, W), so fc weights match PyTorch's. */
export function flattenLikeTorch(x: tf.Tensor): tf.Tensor2D {
  if (x.rank === 2) return x as tf.Tensor2D;
  if (x.rank !== 4) throw new Error(`expected a batch of rank 2 or 4, got shape [${x.shape}]`);
  const n = x.shape[0];
  const chw = x.shape[3] === 1 ? x : tf.transpose(x, [0, 3, 1, 2]);
  return tf.reshape(chw, [n, -1]);
}

/** Mean cross-entropy of logits [N, K] against integer labels [N] (one-hot: no gather gradient). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Mean cross-entropy of each point, [P], from stacked logits [P, N, K] and shared labels [N]. */
export function stackedCrossEntropy(logits: tf.Tensor3D, labels: tf.Tensor1D): tf.Tensor1D {
  const oneHot = tf.oneHot(labels, logits.shape[2]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 2), 1)) as tf.Tensor1D;
}

/** Number of wrong arg-max predictions. */
export function errorCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
}
