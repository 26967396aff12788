/**
 * Convolutions and BatchNorm of P points at once, with pivots folded into the batch axis
 * ([P*N, H, W, C], pivot-major). tfjs has no grouped convolution, so a convolution is im2col
 * (k*k shifted views of the padded input, concatenated: one op set for all pivots) followed by
 * ONE batched product [P, N*H*W, k*k*Cin] x [P, k*k*Cin, Cout]. Gradients flow through
 * slice, concat and the batched product, which every backend has.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON } from './ops';

const outSize = (size: number, kernel: number, stride: number, padding: number) => Math.floor((size + 2 * padding - kernel) / stride) + 1;

/**
 * The patches of a batch NHWC for a k x k filter: [N, Ho, Wo, k*k*C], column order (dy, dx, c).
 * A stride s > 1 reads the padded input as [N, H/s, s, W/s, s, C], so each tap is a plain slice
 * (strided slice has no gradient on every backend).
 */
function patches(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [ho, wo] = [outSize(h, kernel, stride, padding), outSize(w, kernel, stride, padding)];
  if (kernel === 1 && stride === 1 && padding === 0) return x;
  const taps: tf.Tensor4D[] = [];
  if (stride === 1) {
    const padded = padding === 0 ? x : tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]]);
    for (let dy = 0; dy < kernel; dy++) for (let dx = 0; dx < kernel; dx++) taps.push(tf.slice(padded, [0, dy, dx, 0], [n, ho, wo, c]));
  } else {
    // Rows dy + s*i = s*(i + dy/s) + dy%s: block i + floor(dy/s), phase dy % s.
    const [bh, bw] = [ho + Math.floor((kernel - 1) / stride), wo + Math.floor((kernel - 1) / stride)];
    const [eh, ew] = [stride * bh - h - padding, stride * bw - w - padding];
    let padded: tf.Tensor4D = tf.pad(x, [[0, 0], [padding, Math.max(0, eh)], [padding, Math.max(0, ew)], [0, 0]]);
    if (eh < 0 || ew < 0) padded = tf.slice(padded, [0, 0, 0, 0], [n, stride * bh, stride * bw, c]);
    const blocks = tf.reshape(padded, [n, bh, stride, bw, stride, c]);
    for (let dy = 0; dy < kernel; dy++) {
      for (let dx = 0; dx < kernel; dx++) {
        const at = [0, Math.floor(dy / stride), dy % stride, Math.floor(dx / stride), dx % stride, 0];
        taps.push(tf.reshape(tf.slice(blocks, at, [n, ho, 1, wo, 1, c]), [n, ho, wo, c]));
      }
    }
  }
  return taps.length === 1 ? taps[0] : tf.concat(taps, 3);
}

/** Stacked PyTorch filters [P, out, in, k, k] as [P, k*k*in, out] (the patches' column order). */
function filters(weight: tf.Tensor, points: number): tf.Tensor3D {
  const [, out, inC, kh, kw] = weight.shape as number[];
  return tf.reshape(tf.transpose(weight, [0, 3, 4, 2, 1]), [points, kh * kw * inC, out]);
}

/**
 * Convolution of each point's block of `y` [P*N, H, W, Cin] with its own filters, stacked
 * [P, out, in, k, k]: [P*N, Ho, Wo, out]. With `shared`, `y` is ONE batch [N, H, W, Cin] that
 * every point sees (the data): its patches are built once and the product broadcasts them.
 * `bias` (stacked [P, out]) is added before the result is folded back.
 */
export function stackedConv2d(y: tf.Tensor4D, weight: tf.Tensor, points: number, stride: number, padding: number, shared = false, bias?: tf.Tensor): tf.Tensor4D {
  const [, out, , kernel] = weight.shape as number[];
  const cols = patches(y, kernel, stride, padding);
  const [n, ho, wo, columns] = cols.shape;
  const rows = shared ? n * ho * wo : (n / points) * ho * wo;
  const lhs = shared ? tf.reshape(cols, [rows, columns]) : tf.reshape(cols, [points, rows, columns]);
  let product: tf.Tensor = tf.matMul(lhs as tf.Tensor3D, filters(weight, points));
  if (bias) product = tf.add(product, tf.reshape(bias, [points, 1, out]));
  return tf.reshape(product, [shared ? points * n : n, ho, wo, out]);
}

/** BatchNorm2d in training mode of each point's block of y [P*N, H, W, C] (statistics per point). */
export function stackedBatchNorm(y: tf.Tensor4D, weight: tf.Tensor, bias: tf.Tensor, points: number): tf.Tensor4D {
  const c = y.shape[3];
  const blocks = tf.reshape(y, [points, -1, c]);
  const { mean, variance } = tf.moments(blocks, 1, true);
  const scale = tf.mul(tf.rsqrt(tf.add(variance, BN_EPSILON)), tf.reshape(weight, [points, 1, c]));
  return tf.reshape(tf.add(tf.mul(tf.sub(blocks, mean), scale), tf.reshape(bias, [points, 1, c])), y.shape);
}

/** Floats of the patches of one point's convolution (what stacking holds for the backward pass). */
export function patchFloats(batch: number, height: number, width: number, inC: number, kernel: number, stride: number, padding: number): number {
  return batch * outSize(height, kernel, stride, padding) * outSize(width, kernel, stride, padding) * kernel * kernel * inC;
}
