/**
 * A neural loss as a deterministic gradient source for curvature: every point is evaluated on the
 * training batch of ONE call number, so finite differences of gradients see a single function.
 * BatchNorm runs in inference mode (the point's running statistics, fixed): with batch statistics
 * the function would be a different one (normalised by the batch itself), not the network whose
 * minimum or saddle is measured. The statistics are those of the measured point `at` for every
 * point evaluated: they are no coordinates of the function (their gradient is zero), so moving
 * them along a probe must not change the gradient either, or the products' operator would not be
 * symmetric.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradientSource } from '../curvature';
import { batchTensors } from './data';
import { gradientSteps, readNow } from './models';
import type { NeuralEnergy } from './neural-energy';

export function fixedBatchGradients(energy: NeuralEnergy, call = 0, at?: Float32Array): GradientSource {
  const model = energy.model;
  const hasBatchNorm = model.layout.entries.some((e) => e.role === 'running_mean');
  if (!hasBatchNorm) {
    // No statistics: train and eval mode are one function, and the energy's (stacked) path is faster.
    return {
      dimension: energy.dimension,
      async gradients(points) {
        return energy.lossAndGradientAt(call, points).gradients.map((g) => Float32Array.from(g));
      },
    };
  }
  if (!at) throw new Error('a network with BatchNorm needs the measured point for its running statistics');
  const statistics = model.layout.entries.filter((e) => !e.trainable);
  const batch = energy.batchOfCall(call);
  const withStatistics = (p: Float32Array): Float32Array => {
    const q = Float32Array.from(p);
    for (const e of statistics) q.set(at.subarray(e.offset, e.offset + e.size), e.offset);
    return q;
  };
  return {
    dimension: energy.dimension,
    async gradients(points) {
      const { x, labels } = batchTensors(energy.dataset, batch);
      try {
        return points.map((p) => readNow(gradientSteps(model, withStatistics(p as Float32Array), x, labels, false)).gradient);
      } finally {
        tf.dispose([x, labels]);
      }
    },
  };
}
