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
    apply(params: ParamTensors, x: tf.Tensor, _mode: ForwardMode): tf.Tensor2D {
      let y = x as tf.Tensor4D;
      for (let i = 0; i < channels.length; i++) {
        y = tf.relu(conv2d(params, `convs.${i}`, y, 1, (kernel - 1) / 2, true));
        y = tf.maxPool(y, 2, 2, 'valid');
      }
      return linear(params, 'fc', flattenLikeTorch(y));
    },
    /**
     * The first convolution is ONE conv2d of the shared batch with all pivots' filters side by
     * side (P x out output channels); its output is then laid out pivot-major, [P*N, h, w, c], so
     * that ReLU and pooling are one op for all pivots, each later convolution is one conv2d per
     * pivot on its contiguous block (unstack/stack: gradients are a stack, not zero-padded
     * slices), and fc is one batched product [P, N, F] x [P, classes, F]^T.
     */
    applyStacked(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D {
      const n = x.shape[0];
      const pool = (t: tf.Tensor4D) => tf.maxPool(tf.relu(t), 2, 2, 'valid');
      const first = param(params, 'convs.0.weight');
      const [out0] = first.shape.slice(1);
      const filters = tf.transpose(tf.reshape(first, [points * out0, inChannels, kernel, kernel]), [2, 3, 1, 0]) as tf.Tensor4D;
      const padding = (kernel - 1) / 2;
      let y = tf.add(tf.conv2d(x as tf.Tensor4D, filters, 1, padding === 0 ? 'valid' : padding), tf.reshape(param(params, 'convs.0.bias'), [points * out0])) as tf.Tensor4D;
      y = pool(y);
      // [N, h, w, P*c] -> [P*N, h, w, c]
      let [hh, ww] = [y.shape[1], y.shape[2]];
      y = tf.reshape(tf.transpose(tf.reshape(y, [n, hh, ww, points, out0]), [3, 0, 1, 2, 4]), [points * n, hh, ww, out0]);
      for (let i = 1; i < channels.length; i++) {
        const weights = tf.unstack(param(params, `convs.${i}.weight`));
        const inputs = tf.unstack(tf.reshape(y, [points, n, hh, ww, channels[i - 1]]));
        const outputs = inputs.map((input, p) => tf.conv2d(input as tf.Tensor4D, tf.transpose(weights[p], [2, 3, 1, 0]) as tf.Tensor4D, 1, padding === 0 ? 'valid' : padding));
        const conv = tf.add(tf.stack(outputs), tf.reshape(param(params, `convs.${i}.bias`), [points, 1, 1, 1, channels[i]]));
        y = pool(tf.reshape(conv, [points * n, hh, ww, channels[i]]) as tf.Tensor4D);
        [hh, ww] = [y.shape[1], y.shape[2]];
      }
      const c = channels[channels.length - 1];
      // PyTorch's flatten order (C, H, W) per example.
      const flat = tf.reshape(tf.transpose(tf.reshape(y, [points, n, hh, ww, c]), [0, 1, 4, 2, 3]), [points, n, c * hh * ww]) as tf.Tensor3D;
      return tf.add(tf.matMul(flat, param(params, 'fc.weight') as tf.Tensor3D, false, true), tf.reshape(param(params, 'fc.bias'), [points, 1, spec.classes])) as tf.Tensor3D;
    },
  };
}
