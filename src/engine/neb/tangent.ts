/**
 * The improved tangent of Henkelman & Jónsson (J. Chem. Phys. 113, 9978 (2000)): point to the
 * higher neighbour; at an energy extremum blend both neighbour differences weighted by the
 * energy differences, so the tangent turns smoothly and no kinks form.
 */
import type { Vector } from '../energy';
import { dot, norm, subtract } from '../vector';

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
  const tangent = new Float32Array(current.length);
  improvedTangentInto(tangent, prev, current, next, energyPrev, energy, energyNext, fallback);
  return tangent;
}

/**
 * improvedTangent written into `tangent` (a caller's buffer, so a NEB step allocates nothing),
 * in two passes over D: the blend with its squared norm, then the scaling. With `gradient` the
 * scaling pass also accumulates gradient . tangent, which is returned (0 without it); `fallback`
 * may be given as a function, called only when needed. Every
 * element is rounded as separate vectors rounded it, so the result is the same bit for bit.
 */
export function improvedTangentInto(
  tangent: Float32Array,
  prev: Vector,
  current: Vector,
  next: Vector,
  energyPrev: number,
  energy: number,
  energyNext: number,
  fallback?: Vector | (() => Vector),
  gradient?: Vector,
): number {
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
  // fround: the differences round to float32 as stored difference vectors did.
  let squares = 0;
  for (let i = 0; i < tangent.length; i++) {
    tangent[i] = weightNext * Math.fround(next[i] - current[i]) + weightPrev * Math.fround(current[i] - prev[i]);
    squares += tangent[i] * tangent[i];
  }
  const length = Math.sqrt(squares);
  if (length > 0 && Number.isFinite(length)) {
    const inverse = 1 / length;
    if (!gradient) {
      for (let i = 0; i < tangent.length; i++) tangent[i] *= inverse;
      return 0;
    }
    let along = 0;
    for (let i = 0; i < tangent.length; i++) {
      tangent[i] *= inverse;
      along += gradient[i] * tangent[i];
    }
    return along;
  }
  // Rare (flat or degenerate neighbourhoods): the fallbacks, built only now.
  tangent.set(fallbackTangent(prev, next, typeof fallback === 'function' ? fallback() : fallback));
  return gradient ? dot(gradient, tangent) : 0;
}

/** The central difference, else `fallback`, as a unit vector; the zero vector if both vanish. */
function fallbackTangent(prev: Vector, next: Vector, fallback?: Vector): Vector {
  for (const vector of [subtract(next, prev), fallback ? Float32Array.from(fallback) : undefined]) {
    const length = vector ? norm(vector) : 0;
    if (vector && length > 0 && Number.isFinite(length)) {
      for (let i = 0; i < vector.length; i++) vector[i] *= 1 / length;
      return vector;
    }
  }
  return new Float32Array(prev.length);
}
