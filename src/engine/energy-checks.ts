/**
 * Calls into a user's Energy with the checks every path algorithm needs: right number of
 * results, right gradient length, and no NaN/Inf (a run must stop with the reason, never carry
 * NaN on).
 */
import type { Energy, LossAndGradient, Vector } from './energy';
import { NonFiniteEnergyError } from './energy';
import { InvalidInputError } from './errors';
import { firstNonFinite } from './vector';

export async function checkedLossAndGradient(energy: Energy, points: readonly Vector[]): Promise<LossAndGradient> {
  const result = await energy.lossAndGradient(points);
  if (result.losses.length !== points.length || result.gradients.length !== points.length) {
    throw new InvalidInputError(
      `${energy.name}.lossAndGradient`,
      `returned ${result.losses.length} losses and ${result.gradients.length} gradients for ${points.length} points`,
    );
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(result.losses[i])) throw new NonFiniteEnergyError('loss', i, `${energy.name} returned ${result.losses[i]}`);
    const gradient = result.gradients[i];
    if (gradient.length !== energy.dimension) {
      throw new InvalidInputError(`${energy.name}.lossAndGradient`, `gradient ${i} has length ${gradient.length}, expected ${energy.dimension}`);
    }
    const bad = energy.checksFinite ? -1 : firstNonFinite(gradient);
    if (bad >= 0) throw new NonFiniteEnergyError('gradient', i, `component ${bad} is ${gradient[bad]}`);
  }
  return result;
}

/** Checks that a point has the energy's dimension and finite coordinates; `field` names it in errors. */
export function checkPoint(energy: Energy, point: Vector, field: string, pointIndex = 0): void {
  if (!(point instanceof Float32Array)) throw new InvalidInputError(field, 'must be a Float32Array');
  if (point.length !== energy.dimension) {
    throw new InvalidInputError(field, `has ${point.length} coordinates, energy ${energy.name} has dimension ${energy.dimension}`);
  }
  const bad = firstNonFinite(point);
  if (bad >= 0) throw new NonFiniteEnergyError('coordinate', pointIndex, `${field}[${bad}] is ${point[bad]}`);
}
