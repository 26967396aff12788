/**
 * The Morse index (number of negative curvature directions) of a critical point from Lanczos's
 * smallest Ritz values. A Ritz value is never below the true smallest eigenvalues (interlacing), so
 * a Ritz value below -threshold is a real negative direction of the finite-difference Hessian; the
 * threshold keeps rounding-level values (positive or negative zero curvature) from counting.
 */
export interface NegativeCount {
  negativeCount: number;
  threshold: number;
}

/** Relative floor: float32 central differences are good to ~1e-4 of the spectrum's scale. */
export const RELATIVE_THRESHOLD = 1e-4;
/** Multiple of the measured product noise that counts as signal. */
export const NOISE_FACTOR = 3;

export function negativeCount(largest: readonly number[], smallest: readonly number[], noise: number): NegativeCount {
  const scale = Math.max(...largest.map(Math.abs), ...smallest.map(Math.abs), 0);
  const threshold = Math.max(RELATIVE_THRESHOLD * scale, NOISE_FACTOR * noise);
  return { negativeCount: smallest.filter((value) => value < -threshold).length, threshold };
}
