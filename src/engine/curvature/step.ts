/**
 * Choosing the finite-difference step by test. A ReLU network's gradient jumps where a
 * pre-activation changes sign: a step that crosses such kinks makes the "products" non-linear in
 * v (measured on a trained MLP 8-16-3: 5x off at 1e-3 of ||θ||, 1e-3 at 1e-4; docs/curvature.md),
 * while too small a step loses the product to float32 rounding. So: the largest candidate whose
 * products are linear, H(u+v) = Hu + Hv, to `linearity` (or the most linear one).
 */
import type { Vector } from '../energy';
import type { Random } from '../random';
import { HessianVectorProducts, type GradientSource } from './hessian-vector';

export const STEP_CANDIDATES = [1e-3, 3e-4, 1e-4, 3e-5, 1e-5] as const;

export interface StepChoice {
  relativeStep: number;
  /** ||H(u+v) - Hu - Hv|| / ||H(u+v)|| at the chosen step. */
  nonlinearity: number;
  evaluations: number;
}

export async function chooseStep(source: GradientSource, theta: Vector, random: Random, linearity = 1e-3, candidates: readonly number[] = STEP_CANDIDATES): Promise<StepChoice> {
  const d = source.dimension;
  const u = Float64Array.from({ length: d }, () => random.normal());
  const v = Float64Array.from({ length: d }, () => random.normal());
  const sum = u.map((x, i) => x + v[i]);
  let best: StepChoice | undefined;
  let evaluations = 0;
  for (const relativeStep of candidates) {
    const products = new HessianVectorProducts(source, theta, relativeStep);
    const [hu, hv, hs] = await products.apply([u, v, sum]);
    evaluations += products.evaluations;
    let error = 0;
    let size = 0;
    for (let i = 0; i < d; i++) {
      error += (hs[i] - hu[i] - hv[i]) ** 2;
      size += hs[i] ** 2;
    }
    const nonlinearity = size > 0 ? Math.sqrt(error / size) : 0;
    if (!best || nonlinearity < best.nonlinearity) best = { relativeStep, nonlinearity, evaluations };
    if (nonlinearity <= linearity) break;
  }
  return { ...best!, evaluations };
}
