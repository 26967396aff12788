/**
 * Activation matching (Git Re-Basin section 3.1; Entezari et al. 2022; Li et al. 2015): per
 * permutation, the correlation of each reference unit's activations with each moving unit's over
 * the same examples, then one assignment maximising the summed correlation. Activations are taken
 * after the ReLU, in eval mode (BatchNorm with its running statistics: the minimum's function); a
 * convolution's spatial positions count as examples. A ResNet's stream permutation acts on the
 * output of the stem and of every block of its stage (and, widened by option A, on the middle
 * channels of later stages): its correlations over all those sites are summed. Each network's
 * activations are its own, so one assignment per permutation, no sweeps.
 */
import * as tf from '@tensorflow/tfjs';
import { toParamTensors, type NeuralModel } from '../models';
import { maximiseAssignment } from './assignment';
import type { MatchingResult } from './weight-matching';
import { permutationSpec, type Permutations } from './spec';

/** The model's post-ReLU activations on `x` by site name, each as [examples, channels]. */
function hiddenActivations(model: NeuralModel, params: Float32Array, x: tf.Tensor): Map<string, tf.Tensor2D> {
  const named = toParamTensors(model, params);
  const activations = new Map<string, tf.Tensor>();
  model.apply(named, x, { training: false, activations });
  const out = new Map<string, tf.Tensor2D>();
  for (const [name, a] of activations) out.set(name, tf.reshape(a, [-1, a.shape[a.shape.length - 1]]));
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
  const spec = permutationSpec(model);
  const perms: Permutations = new Map();
  tf.tidy(() => {
    const ref = hiddenActivations(model, reference, x);
    const mov = hiddenActivations(model, moving, x);
    const similarity = new Map<string, tf.Tensor2D>();
    for (const site of spec.sites) {
      for (const run of site.runs) {
        const positions = tf.tensor1d(run.positions, 'int32');
        const c = correlation(tf.gather(ref.get(site.name)!, positions, 1), tf.gather(mov.get(site.name)!, positions, 1));
        const sum = similarity.get(run.perm);
        similarity.set(run.perm, sum ? tf.add(sum, c) : c);
      }
    }
    for (const [name, n] of spec.sizes) {
      const s = similarity.get(name);
      if (!s) throw new Error(`permutation ${name} acts on no activation of ${model.name}`);
      perms.set(name, maximiseAssignment(s.dataSync() as Float32Array, n));
    }
  });
  return { perms, sweeps: 1 };
}
