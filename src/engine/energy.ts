/**
 * The Energy interface: what every algorithm in the engine (training, NEB, AutoNEB, dense
 * evaluation) sees of a loss surface. Neural-network losses, the analytic 2-D surfaces and
 * user code implement it, so every algorithm can be tested on surfaces with known answers.
 *
 * Points (pivots) are flat float32 vectors in R^D: a network's parameters (BatchNorm running
 * statistics included) are one vector, so the elastic band never needs to know about layers.
 */
import type { KernelRunner } from './neb/kernels';

export type Vector = Float32Array;

export interface LossAndGradient {
  /** One loss per point, in the order given. */
  readonly losses: number[];
  /** One gradient per point, each of length `dimension`. */
  readonly gradients: Vector[];
  /**
   * Optional: a caller that no longer reads `gradients` calls this, and the energy may reuse their
   * memory at a later call. Fresh memory for P x D floats per call cost more in page faults than
   * the gradients' own arithmetic on small networks (MLP 784-100-10 in the pool: 480 vs 860
   * gradients/s); a caller that keeps gradients simply never calls it.
   */
  readonly release?: () => void;
}

export interface Energy {
  /** Number of coordinates D of each point. */
  readonly dimension: number;
  /** Short human-readable name, e.g. "muller-brown" or "mlp-784-100-10 on mnist". */
  readonly name: string;
  /**
   * Loss and gradient at each point. A stochastic energy (a neural loss on mini-batches) draws
   * ONE batch per call and uses it for every point of that call, as the paper does for the
   * pivots of one NEB step; deterministic energies ignore this.
   */
  lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient>;
  /**
   * Loss only, for dense evaluation along a path. Uses a fixed evaluation set (not a fresh random
   * batch), so profiles of different cycles are comparable.
   */
  loss(points: readonly Vector[]): Promise<number[]>;
  /**
   * True when lossAndGradient itself throws NonFiniteEnergyError for any NaN/Inf loss or gradient
   * (the neural energies do, from sums computed where the data lies), so callers need not scan
   * every gradient again.
   */
  readonly checksFinite?: boolean;
  /**
   * True when lossAndGradient draws a fresh mini-batch per call, so forces are noisy: stopping
   * rules then judge moving windows (AutoNEB's `stop.window`) instead of single steps.
   */
  readonly stochastic?: boolean;
  /**
   * Optional: runs the NEB step's per-pivot kernels where this energy evaluates (the pool's worker
   * threads), on vectors in shared memory; see neb/kernels.ts.
   */
  readonly kernels?: KernelRunner;
  /** Releases backend memory held by the energy, if any. */
  dispose?(): void;
}

/** Thrown when an energy returns NaN or Inf: runs must fail with this reason, never continue. */
export class NonFiniteEnergyError extends Error {
  constructor(
    readonly what: 'loss' | 'gradient' | 'coordinate',
    readonly pointIndex: number,
    detail = '',
  ) {
    super(`non-finite ${what} at point ${pointIndex}${detail ? `: ${detail}` : ''}`);
    this.name = 'NonFiniteEnergyError';
  }
}
