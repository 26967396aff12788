/**
 * Parametric curves between two minima a and b with one bend point θ (Garipov et al. 2018): a
 * quadratic Bezier curve φ(t) = (1-t)² a + 2t(1-t) θ + t² b, or a polygonal chain a -> θ -> b
 * with θ at t = 1/2. Only θ is trained; dφ/dθ = w(t) I, so the gradient of a loss at φ(t) with
 * respect to θ is w(t) times the loss's gradient there.
 */
import type { Vector } from '../energy';
import { InvalidInputError } from '../errors';

export type CurveKind = 'bezier' | 'polychain';
export const CURVE_KINDS: readonly CurveKind[] = ['bezier', 'polychain'];

export interface Curve {
  readonly kind: CurveKind;
  readonly a: Vector;
  readonly b: Vector;
  bend: Vector;
}

/** Coefficients of a, θ and b at t. */
export function coefficients(kind: CurveKind, t: number): [number, number, number] {
  if (!(t >= 0 && t <= 1)) throw new InvalidInputError('t', `must be in [0, 1], got ${t}`);
  if (kind === 'bezier') return [(1 - t) ** 2, 2 * t * (1 - t), t * t];
  return t <= 0.5 ? [1 - 2 * t, 2 * t, 0] : [0, 2 - 2 * t, 2 * t - 1];
}

export function pointOnCurve(curve: Curve, t: number): Vector {
  const [ca, cb, cc] = coefficients(curve.kind, t);
  const out = new Float32Array(curve.a.length);
  for (let i = 0; i < out.length; i++) out[i] = ca * curve.a[i] + cb * curve.bend[i] + cc * curve.b[i];
  return out;
}

/** The straight line's midpoint: the bend that makes either curve the straight line (Garipov's start). */
export function straightBend(kind: CurveKind, a: Vector, b: Vector): Vector {
  void kind;
  return a.map((x, i) => (x + b[i]) / 2);
}
