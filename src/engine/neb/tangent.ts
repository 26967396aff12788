/**
 * The improved tangent of Henkelman & Jónsson (J. Chem. Phys. 113, 9978 (2000)): point to the
 * higher neighbour; at an energy extremum blend both neighbour differences weighted by the
 * energy differences, so the tangent turns smoothly and no kinks form.
 */
import type { Vector } from '../energy';
import { norm, subtract } from '../vector';

/**
 * Unit tangent at `current`. Falls back to the central difference `next - prev` when the blend
 * vanishes (flat region: all three energies equal, or coincident pivots), then to `fallback`
 * (e.g. the path's chord); returns the zero vector only if all of these vanish, never NaN.
 */
export function improvedTangent(
  prev: Vector,
  current: Vector,
  next: Vector,
  energyPrev: number,
  energy: number,
  energyNext: number,
  fallback?: Vector,
): Vector {
  let weightNext: number;
  let weightPrev: number;
  if (energyNext > energy && energy > energyPrev) {
    [weightNext, weightPrev] = [1, 0];
  } else if (energyNext < energy && energy < energyPrev) {
    [weightNext, weightPrev] = [0, 1];
  } else {
    const big = Math.max(Math.abs(energyNext - energy), Math.abs(energyPrev - energy));
    const small = Math.min(Math.abs(energyNext - energy), Math.abs(energyPrev - energy));
    [weightNext, weightPrev] = energyNext > energyPrev ? [big, small] : [small, big];
  }
  // One pass, no intermediate vectors (fround: the differences round to float32 as stored ones
  // did, so the tangent is bit for bit what separate difference vectors gave).
  const tangent = new Float32Array(current.length);
  for (let i = 0; i < tangent.length; i++) {
    tangent[i] = weightNext * Math.fround(next[i] - current[i]) + weightPrev * Math.fround(current[i] - prev[i]);
  }
  // Candidates are built lazily: the fallbacks are rarely needed and vectors may be long.
  const candidates = [() => tangent, () => subtract(next, prev), () => (fallback ? Float32Array.from(fallback) : undefined)];
  for (const candidate of candidates) {
    const vector = candidate();
    const length = vector ? norm(vector) : 0;
    if (vector && length > 0 && Number.isFinite(length)) return scaleInPlace(vector, 1 / length);
  }
  return new Float32Array(current.length);
}

function scaleInPlace(v: Vector, factor: number): Vector {
  for (let i = 0; i < v.length; i++) v[i] *= factor;
  return v;
}
