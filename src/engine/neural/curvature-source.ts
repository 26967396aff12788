/**
 * A neural loss as a deterministic gradient source for curvature: every point is evaluated on the
 * training batch of ONE call number, so finite differences of gradients see a single function.
 */
import type { GradientSource } from '../curvature';
import type { NeuralEnergy } from './neural-energy';

export function fixedBatchGradients(energy: NeuralEnergy, call = 0): GradientSource {
  return {
    dimension: energy.dimension,
    async gradients(points) {
      return energy.lossAndGradientAt(call, points).gradients.map((g) => Float32Array.from(g));
    },
  };
}
