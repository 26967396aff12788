/**
 * Small vector helpers on Float32Array points. Products and norms are accumulated in float64
 * (JS numbers) so that long parameter vectors do not lose precision; only storage is float32.
 * Internal to the engine (not exported from the barrel).
 */
import type { Vector } from './energy';

export function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Vector): number {
  return Math.sqrt(dot(a, a));
}

export function distance(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** a - b as a new vector. */
export function subtract(a: Vector, b: Vector): Vector {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** (1 - alpha) a + alpha b as a new vector. */
export function lerp(a: Vector, b: Vector, alpha: number): Vector {
  return lerpInto(new Float32Array(a.length), a, b, alpha);
}

/** (1 - alpha) a + alpha b written into `out` (a caller's buffer, so nothing is allocated). */
export function lerpInto(out: Float32Array, a: Vector, b: Vector, alpha: number): Float32Array {
  for (let i = 0; i < a.length; i++) out[i] = (1 - alpha) * a[i] + alpha * b[i];
  return out;
}

/** Index of the first non-finite entry, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

export function copyAll(points: readonly Vector[]): Vector[] {
  return points.map((p) => Float32Array.from(p));
}
