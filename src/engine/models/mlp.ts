import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { flattenLikeTorch, linear, type ForwardMode, type ParamTensors } from './ops';
import type { MlpSpec } from './spec';

/** Linear layers `layers.i` with ReLU between them (PyTorch: ModuleList of nn.Linear). */
export function createMlp(spec: MlpSpec): NeuralModel {
  const { widths } = spec;
  const builder = new LayoutBuilder();
  for (let i = 0; i + 1 < widths.length; i++) builder.linear(`layers.${i}`, widths[i], widths[i + 1]);
  return {
    spec,
    name: `mlp-${widths.join('-')}`,
    layout: builder.build(),
    inputShape: null,
    inputSize: widths[0],
    classes: widths[widths.length - 1],
    apply(params: ParamTensors, x: tf.Tensor, _mode: ForwardMode): tf.Tensor2D {
      let h = flattenLikeTorch(x);
      for (let i = 0; i + 1 < widths.length; i++) {
        h = linear(params, `layers.${i}`, h);
        if (i + 2 < widths.length) h = tf.relu(h);
      }
      return h;
    },
  };
}
