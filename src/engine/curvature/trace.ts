/**
 * Hutchinson's trace estimate tr H ~ mean of z^T H z over Rademacher probes z (PyHessian's default:
 * 100 probes). Probe i is drawn from `random.derive(i)`, so a run resumed after probe n continues
 * with exactly the probes it would have drawn.
 */
import { InvalidInputError } from '../errors';
import type { Random } from '../random';
import type { HessianVectorProducts } from './hessian-vector';
import { dot } from './lanczos';

export interface TraceState {
  probes: number;
  sum: number;
  sumOfSquares: number;
}

export interface TraceEstimate extends TraceState {
  trace: number;
  /** Standard error of the mean over probes. */
  standardError: number;
}

export interface TraceOptions {
  probes?: number;
  random: Random;
  /** Probes per batch of products (default 8). */
  batch?: number;
  /** State stored by an earlier, interrupted estimate. */
  from?: TraceState;
  /** Called after each batch (to store the state). */
  onBatch?: (state: TraceState) => Promise<void> | void;
}

export const DEFAULT_TRACE_PROBES = 100;

export async function hutchinsonTrace(products: HessianVectorProducts, options: TraceOptions): Promise<TraceEstimate> {
  const total = options.probes ?? DEFAULT_TRACE_PROBES;
  if (!Number.isInteger(total) || total < 1) throw new InvalidInputError('probes', `must be a positive integer, got ${total}`);
  const batch = options.batch ?? 8;
  const state: TraceState = { ...(options.from ?? { probes: 0, sum: 0, sumOfSquares: 0 }) };
  while (state.probes < total) {
    const count = Math.min(batch, total - state.probes);
    const probes = Array.from({ length: count }, (_, i) => rademacher(products.dimension, options.random.derive(state.probes + i)));
    const hz = await products.apply(probes);
    probes.forEach((z, i) => {
      const value = dot(z, hz[i]);
      state.sum += value;
      state.sumOfSquares += value * value;
    });
    state.probes += count;
    await options.onBatch?.({ ...state });
  }
  return estimate(state);
}

export function estimate(state: TraceState): TraceEstimate {
  const n = state.probes;
  const mean = state.sum / n;
  const variance = n > 1 ? Math.max(0, (state.sumOfSquares - n * mean * mean) / (n - 1)) : Number.NaN;
  return { ...state, trace: mean, standardError: Math.sqrt(variance / n) };
}

function rademacher(d: number, random: Random): Float64Array {
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) z[i] = random.uniform() < 0.5 ? -1 : 1;
  return z;
}
