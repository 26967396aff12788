import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { conv2d, flattenLikeTorch, linear, type ForwardMode, type ParamTensors } from './ops';
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
  };
}
