/**
 * Power iteration for the eigenvalue of largest magnitude, with PyHessian's defaults (relative
 * tolerance 1e-3 between iterations, at most 100 iterations): the usual check on Lanczos's top value.
 */
import type { Random } from '../random';
import type { HessianVectorProducts } from './hessian-vector';
import { dot } from './lanczos';

export interface PowerResult {
  eigenvalue: number;
  iterations: number;
  converged: boolean;
}

export async function powerIteration(products: HessianVectorProducts, random: Random, tolerance = 1e-3, maxIterations = 100): Promise<PowerResult> {
  let v: Float64Array = new Float64Array(products.dimension).map(() => random.normal());
  v = normalised(v);
  let eigenvalue = Number.NaN;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const hv = await products.applyOne(v);
    const next = dot(v, hv);
    const settled = Number.isFinite(eigenvalue) && Math.abs(next - eigenvalue) <= tolerance * (Math.abs(eigenvalue) + 1e-6);
    eigenvalue = next;
    if (settled) return { eigenvalue, iterations: iteration, converged: true };
    if (dot(hv, hv) === 0) return { eigenvalue, iterations: iteration, converged: true };
    v = normalised(hv);
  }
  return { eigenvalue, iterations: maxIterations, converged: false };
}

function normalised(v: Float64Array): Float64Array {
  const n = Math.sqrt(dot(v, v));
  return v.map((x) => x / n);
}
