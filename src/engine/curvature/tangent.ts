/** Curvature along a direction: u^T H u / u^T u (at a saddle, along the path's tangent). */
import { InvalidInputError } from '../errors';
import type { Vector } from '../energy';
import type { HessianVectorProducts } from './hessian-vector';
import { dot } from './lanczos';

export async function curvatureAlong(products: HessianVectorProducts, direction: Vector | Float64Array): Promise<number> {
  const u = Float64Array.from(direction);
  const squared = dot(u, u);
  if (!(squared > 0) || !Number.isFinite(squared)) throw new InvalidInputError('tangent', 'must be a finite non-zero vector');
  return dot(u, await products.applyOne(u)) / squared;
}
