/**
 * When a cycle (and so a run) is done, judged on what every NEB step computes anyway: the largest
 * NEB force over the interior pivots, the climbing pivot's full gradient included (its force is
 * -grad + 2 (grad . tau) tau, of norm |grad|, so the measure cannot miss an unconverged climber).
 *
 * Scale invariance: the force is compared with the run's force scale, the largest force on the
 * first band the run evaluated (a straight line between the minima, far from converged). Scaling
 * the energy by c scales both by c; scaling the coordinates by s scales both by 1/s.
 *
 * Stochastic energies (mini-batch losses, `Energy.stochastic`) never reach a small force: with a
 * window W > 0 the rule compares moving means over W steps instead, and also stops when the
 * saddle estimate (the highest pivot energy) moved less than `saddle` times the barrier above the
 * higher minimum between the last two windows.
 */
export interface StopConfig {
  /** Largest NEB force at which a cycle is converged, relative to the run's force scale (> 0). */
  readonly force: number;
  /** Steps per moving window for stochastic energies (0: judge every step on its own). */
  readonly window: number;
  /** Stochastic energies: largest change of the windowed saddle estimate, relative to the barrier. */
  readonly saddle: number;
}

export const STOP_DEFAULTS: StopConfig = { force: 1e-3, window: 0, saddle: 1e-3 };

export const STOP_REASONS = ['converged', 'schedule-exhausted', 'cancelled', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export class CycleStoppingRule {
  private readonly forces: number[] = [];
  private readonly saddles: number[] = [];

  /**
   * @param forceScale the run's force scale (> 0)
   * @param higherMinimum the higher endpoint energy (the barrier's base)
   * @param window steps per window, 0 for the deterministic rule
   */
  constructor(
    private readonly config: StopConfig,
    private readonly forceScale: number,
    private readonly higherMinimum: number,
    private readonly window: number,
  ) {}

  /** Records one step's measures; true when the cycle has converged. */
  observe(maxForce: number, saddleEstimate: number): boolean {
    const tolerance = this.config.force * this.forceScale;
    if (this.window === 0) return maxForce <= tolerance;
    this.forces.push(maxForce);
    this.saddles.push(saddleEstimate);
    const w = this.window;
    if (this.forces.length < 2 * w) return false;
    const mean = (values: number[], from: number) => values.slice(from, from + w).reduce((a, b) => a + b, 0) / w;
    const n = this.forces.length;
    if (mean(this.forces, n - w) <= tolerance) return true;
    const recent = mean(this.saddles, n - w);
    const barrier = recent - this.higherMinimum;
    return barrier > 0 && Math.abs(recent - mean(this.saddles, n - 2 * w)) <= this.config.saddle * barrier;
  }
}
