import * as tf from '@tensorflow/tfjs';
import { LayoutBuilder } from './layout';
import type { NeuralModel } from './model';
import { flattenLikeTorch, linear, param, type ForwardMode, type ParamTensors } from './ops';
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
    apply(params: ParamTensors, x: tf.Tensor, mode: ForwardMode): tf.Tensor2D {
      let h = flattenLikeTorch(x);
      for (let i = 0; i + 1 < widths.length; i++) {
        h = linear(params, `layers.${i}`, h);
        if (i + 2 < widths.length) {
          h = tf.relu(h);
          mode.activations?.set(`layers.${i}`, h);
        }
      }
      return h;
    },
    /**
     * Activations are kept transposed, [P, features, N], so that no layer needs a transpose: the
     * first layer is ONE product of all pivots' stacked weights [P*out, in] with the shared batch
     * (and its weight gradient one product too: large products are what BLAS runs fastest, and
     * what lets its threads share the work), later layers are batched products W_p h_p.
     */
    applyStacked(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D {
      const data = flattenLikeTorch(x);
      const n = data.shape[0];
      let h: tf.Tensor3D | null = null;
      for (let i = 0; i + 1 < widths.length; i++) {
        const [inputs, outputs] = [widths[i], widths[i + 1]];
        const weight = param(params, `layers.${i}.weight`) as tf.Tensor3D;
        const product: tf.Tensor3D = h === null
          ? (tf.reshape(tf.matMul(tf.reshape(weight, [points * outputs, inputs]) as tf.Tensor2D, data, false, true), [points, outputs, n]) as tf.Tensor3D)
          : tf.matMul(weight, h);
        h = tf.add(product, tf.reshape(param(params, `layers.${i}.bias`), [points, outputs, 1])) as tf.Tensor3D;
        if (i + 2 < widths.length) h = tf.relu(h) as tf.Tensor3D;
      }
      return tf.transpose(h as tf.Tensor3D, [0, 2, 1]);
    },
  };
}
