import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { conv2d, flattenLikeTorch, linear, param, type ForwardMode, type ParamTensors } from './ops';
import type { CnnSpec } from './spec';

/**
 * `convs.i` (k x k, padding k/2, bias) -> ReLU -> 2x2 max pool per entry of `channels`, then
 * `fc` to the classes. PyTorch init defaults.
 */
export function createCnn(spec: CnnSpec): NeuralModel {
  const channels = spec.channels ?? [16, 32];
  const kernel = spec.kernel ?? 3;
  const [height, width, inChannels] = spec.input;
  const builder = new LayoutBuilder();
  let c = inChannels;
  let h = height;
  let w = width;
  channels.forEach((out, i) => {
    builder.conv(`convs.${i}`, c, out, kernel, true);
    c = out;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  });
  builder.linear('fc', c * h * w, spec.classes);
  return {
    spec,
    name: `cnn-${channels.join('-')}-${spec.classes}`,
    layout: builder.build(),
    inputShape: spec.input,
    inputSize: height * width * inChannels,
    classes: spec.classes,
    apply(params: ParamTensors, x: tf.Tensor, mode: ForwardMode): tf.Tensor2D {
      let y = x as tf.Tensor4D;
      for (let i = 0; i < channels.length; i++) {
        y = tf.relu(conv2d(params, `convs.${i}`, y, 1, (kernel - 1) / 2, true));
        mode.activations?.set(`convs.${i}`, y);
        y = tf.maxPool(y, 2, 2, 'valid');
      }
      return linear(params, 'fc', flattenLikeTorch(y));
    },
    /**
     * The first convolution is ONE product for all pivots: the shared batch's patches
     * [N*H*W, in*k*k] (built once, on the host: the data needs no gradient) times each pivot's
     * filters as stored, [P, out, in*k*k], which yields the activations pivot-major,
     * [P*N, H, W, out], with no transpose. ReLU and pooling are then one op for all pivots, each
     * later convolution one conv2d per pivot on its contiguous block (split/concat along the
     * first axis: copies of whole blocks), and fc one batched product whose weights, not the
     * activations, are permuted to the (H, W, C) order (PyTorch flattens C, H, W).
     */
    applyStacked(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D {
      const n = x.shape[0];
      const pool = (t: tf.Tensor4D) => tf.maxPool(tf.relu(t), 2, 2, 'valid');
      const first = channels[0];
      const patches = tf.tensor2d(imageToColumns(x.dataSync() as Float32Array, n, height, width, inChannels, kernel), [n * height * width, inChannels * kernel * kernel]);
      const filters = tf.reshape(param(params, 'convs.0.weight'), [points, first, inChannels * kernel * kernel]) as tf.Tensor3D;
      const product = tf.add(tf.matMul(patches, filters, false, true), tf.reshape(param(params, 'convs.0.bias'), [points, 1, first]));
      let y = pool(tf.reshape(product, [points * n, height, width, first]) as tf.Tensor4D);
      const padding = (kernel - 1) / 2;
      for (let i = 1; i < channels.length; i++) {
        const weights = tf.split(param(params, `convs.${i}.weight`), points, 0);
        const blocks = tf.split(y, points, 0).map((block, p) => {
          const filter = tf.transpose(tf.reshape(weights[p], [channels[i], channels[i - 1], kernel, kernel]), [2, 3, 1, 0]) as tf.Tensor4D;
          return tf.conv2d(block as tf.Tensor4D, filter, 1, padding === 0 ? 'valid' : padding);
        });
        const conv = tf.reshape(tf.concat(blocks, 0), [points, -1, channels[i]]);
        const withBias = tf.add(conv, tf.reshape(param(params, `convs.${i}.bias`), [points, 1, channels[i]]));
        y = pool(tf.reshape(withBias, [points * n, blocks[0].shape[1], blocks[0].shape[2], channels[i]]) as tf.Tensor4D);
      }
      const [, hh, ww, c] = y.shape;
      const fc = tf.reshape(tf.transpose(tf.reshape(param(params, 'fc.weight'), [points, spec.classes, c, hh * ww]), [0, 1, 3, 2]), [points, spec.classes, hh * ww * c]) as tf.Tensor3D;
      const flat = tf.reshape(y, [points, n, hh * ww * c]) as tf.Tensor3D;
      return tf.add(tf.matMul(flat, fc, false, true), tf.reshape(param(params, 'fc.bias'), [points, 1, spec.classes])) as tf.Tensor3D;
    },
  };
}

/**
 * im2col of a batch NHWC with zero padding (k - 1) / 2: row (n, r, c), column (channel, dy, dx),
 * the order of a PyTorch filter [out, in, k, k] flattened.
 */
export function imageToColumns(x: Float32Array, n: number, height: number, width: number, channels: number, kernel: number): Float32Array {
  const half = (kernel - 1) / 2;
  const columns = channels * kernel * kernel;
  const out = new Float32Array(n * height * width * columns);
  let row = 0;
  for (let b = 0; b < n; b++) {
    const image = b * height * width * channels;
    for (let r = 0; r < height; r++) {
      for (let col = 0; col < width; col++, row++) {
        const base = row * columns;
        for (let ch = 0; ch < channels; ch++) {
          for (let dy = 0; dy < kernel; dy++) {
            const sr = r + dy - half;
            const at = base + (ch * kernel + dy) * kernel;
            if (sr < 0 || sr >= height) continue;
            for (let dx = 0; dx < kernel; dx++) {
              const sc = col + dx - half;
              if (sc >= 0 && sc < width) out[at + dx] = x[image + (sr * width + sc) * channels + ch];
            }
          }
        }
      }
    }
  }
  return out;
}
