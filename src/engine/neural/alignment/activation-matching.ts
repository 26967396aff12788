/**
 * Activation matching (Git Re-Basin section 3.1; Entezari et al. 2022; Li et al. 2015): per layer,
 * the correlation of each reference unit's activations with each moving unit's over the same
 * examples, then one assignment per layer maximising the summed correlation. Activations are taken
 * after the ReLU; a convolution's spatial positions count as examples. Layers are independent: each
 * network's activations are its own, so no sweeps are needed.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../../errors';
import { toParamTensors, type NeuralModel } from '../models';
import { conv2d, flattenLikeTorch, linear } from '../models/ops';
import { maximiseAssignment } from './assignment';
import type { MatchingResult } from './weight-matching';
import type { Permutations } from './spec';

/** Post-ReLU activations [examples, units] of each permutation's units, by permutation name. */
function hiddenActivations(model: NeuralModel, params: Float32Array, x: tf.Tensor): Map<string, tf.Tensor2D> {
  const named = toParamTensors(model, params);
  const out = new Map<string, tf.Tensor2D>();
  const spec = model.spec;
  if (spec.kind === 'mlp') {
    let h = flattenLikeTorch(x);
    for (let i = 0; i + 2 < spec.widths.length; i++) {
      h = tf.relu(linear(named, `layers.${i}`, h));
      out.set(`layers.${i}`, h);
    }
  } else if (spec.kind === 'cnn') {
    const kernel = spec.kernel ?? 3;
    let y = x as tf.Tensor4D;
    (spec.channels ?? [16, 32]).forEach((c, i) => {
      y = tf.relu(conv2d(named, `convs.${i}`, y, 1, (kernel - 1) / 2, true));
      out.set(`convs.${i}`, tf.reshape(y, [-1, c]));
      y = tf.maxPool(y, 2, 2, 'valid');
    });
  } else {
    throw new InvalidInputError('method', `activation matching is implemented for MLP and CNN, not ${model.name}: use weight matching`);
  }
  return out;
}

/** Correlation matrix [n, n] of two activation matrices [examples, n] (0 where a unit is constant). */
function correlation(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const standardise = (t: tf.Tensor2D) => {
    const { mean, variance } = tf.moments(t, 0);
    return tf.div(tf.sub(t, mean), tf.add(tf.sqrt(variance), 1e-8));
  };
  return tf.div(tf.matMul(standardise(a), standardise(b), true, false), a.shape[0]) as tf.Tensor2D;
}

/** `x`: a batch of training examples in the model's input shape. */
export function activationMatching(model: NeuralModel, reference: Float32Array, moving: Float32Array, x: tf.Tensor): MatchingResult {
  const perms: Permutations = new Map();
  tf.tidy(() => {
    const ref = hiddenActivations(model, reference, x);
    const mov = hiddenActivations(model, moving, x);
    for (const [name, a] of ref) {
      const n = a.shape[1];
      perms.set(name, maximiseAssignment(correlation(a, mov.get(name)!).dataSync() as Float32Array, n));
    }
  });
  return { perms, sweeps: 1 };
}
