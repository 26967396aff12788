import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { conv2d, flattenLikeTorch, linear, param, type ForwardMode, type ParamTensors } from './ops';
import type { CnnSpec } from './spec';
import { patchFloats, stackedConv2d } from './stacked-conv';

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
     * Pivots folded into the batch axis: each convolution is im2col and ONE batched product for
     * all pivots (the first on the shared batch, whose patches are built once: the data needs no
     * gradient), ReLU and pooling one op each, and fc one batched product whose weights, not the
     * activations, are permuted to the (H, W, C) order (PyTorch flattens C, H, W).
     */
    applyStacked(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D {
      const n = x.shape[0];
      const padding = (kernel - 1) / 2;
      let y = x as tf.Tensor4D;
      for (let i = 0; i < channels.length; i++) {
        const conv = stackedConv2d(y, param(params, `convs.${i}.weight`), points, 1, padding, i === 0, param(params, `convs.${i}.bias`));
        y = tf.maxPool(tf.relu(conv), 2, 2, 'valid');
      }
      const [, hh, ww, c] = y.shape;
      const fc = tf.reshape(tf.transpose(tf.reshape(param(params, 'fc.weight'), [points, spec.classes, c, hh * ww]), [0, 1, 3, 2]), [points, spec.classes, hh * ww * c]) as tf.Tensor3D;
      const flat = tf.reshape(y, [points, n, hh * ww * c]) as tf.Tensor3D;
      return tf.add(tf.matMul(flat, fc, false, true), tf.reshape(param(params, 'fc.bias'), [points, 1, spec.classes])) as tf.Tensor3D;
    },
    stackedFloats(batch: number): { held: number; largest: number } {
      let [h, w, c] = [height, width, inChannels];
      const each: number[] = [];
      for (const out of channels) {
        each.push(patchFloats(batch, h, w, c, kernel, 1, (kernel - 1) / 2));
        [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), out];
      }
      return { held: each.reduce((a, b) => a + b, 0), largest: Math.max(...each) };
    },
  };
}
