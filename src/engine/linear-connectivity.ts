/**
 * Linear mode connectivity of two minima from their straight-line profile, points at positions
 * alpha in [0, 1] (0 = minimum A, 1 = minimum B, both included):
 * - the error barrier of Frankle et al. 2020 ("Linear Mode Connectivity and the Lottery Ticket
 *   Hypothesis"): max over alpha of the error at alpha minus the mean of the endpoints' errors;
 * - the loss barrier of Entezari et al. 2022: max over alpha of the loss at alpha minus the linear
 *   interpolation of the endpoints' losses, (1 - alpha) L(0) + alpha L(1).
 * Each comes with the alpha where it peaks.
 */
import { InvalidInputError } from './errors';

export interface LinePoint {
  t: number;
  trainLoss: number;
  testLoss: number;
  trainError: number | null;
  testError: number | null;
}

export interface Barrier {
  value: number;
  alpha: number;
}

/** Positions 0, 1/(n-1), ..., 1 of a straight line with n points. */
export function linePositions(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i / (n - 1));
}

function endpoints(points: readonly LinePoint[]): [LinePoint, LinePoint] {
  if (points.length < 2 || points[0].t !== 0 || points[points.length - 1].t !== 1) {
    throw new InvalidInputError('points', 'a straight-line profile needs its endpoints at t = 0 and t = 1');
  }
  return [points[0], points[points.length - 1]];
}

function peak(points: readonly LinePoint[], height: (p: LinePoint) => number): Barrier {
  let best: Barrier = { value: -Infinity, alpha: 0 };
  for (const p of points) {
    const value = height(p);
    if (value > best.value) best = { value, alpha: p.t };
  }
  return best;
}

/** Frankle's error barrier on `key` (default test error); null where errors are undefined (surfaces). */
export function errorBarrier(points: readonly LinePoint[], key: 'testError' | 'trainError' = 'testError'): Barrier | null {
  const [a, b] = endpoints(points);
  if (points.some((p) => p[key] === null)) return null;
  const mean = (a[key]! + b[key]!) / 2;
  return peak(points, (p) => p[key]! - mean);
}

/** Entezari's loss barrier on `key` (default train loss). */
export function lossBarrier(points: readonly LinePoint[], key: 'trainLoss' | 'testLoss' = 'trainLoss'): Barrier {
  const [a, b] = endpoints(points);
  return peak(points, (p) => p[key] - ((1 - p.t) * a[key] + p.t * b[key]));
}
