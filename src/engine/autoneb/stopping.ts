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
 * window W > 0 the force is judged as its moving mean over W steps, and every W steps the caller
 * also measures the path's peak on the energy's deterministic `loss` (the highest pivot, at least
 * the higher minimum); the cycle stops when the peak moved by no more than `saddle` times the
 * run's barrier scale (the straight line's barrier at its middle) since the last measurement.
 * (Judging the mini-batch saddle estimates themselves, as before, stopped cycles by chance: the
 * change of two noisy window means falls below a small tolerance now and then while the path is
 * still far from relaxed.)
 */
export interface StopConfig {
  /** Largest NEB force at which a cycle is converged, relative to the run's force scale (> 0). */
  readonly force: number;
  /** Steps per moving window and between peak measurements for stochastic energies (0: judge every step on its own). */
  readonly window: number;
  /** Stochastic energies: largest change of the path's peak between measurements, relative to the barrier scale. */
  readonly saddle: number;
}

export const STOP_DEFAULTS: StopConfig = { force: 1e-3, window: 0, saddle: 1e-3 };

export const STOP_REASONS = ['converged', 'schedule-exhausted', 'cancelled', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export class CycleStoppingRule {
  private readonly forces: number[] = [];
  private previousPeak: number | null = null;

  /**
   * @param forceScale the run's force scale (> 0)
   * @param barrierScale what `saddle` is relative to (stochastic energies; <= 0: no peak rule)
   * @param window steps per window, 0 for the deterministic rule
   */
  constructor(
    private readonly config: StopConfig,
    private readonly forceScale: number,
    private readonly barrierScale: number,
    private readonly window: number,
  ) {}

  /** Records one step's largest force; true when the cycle has converged by it. */
  observe(maxForce: number): boolean {
    const tolerance = this.config.force * this.forceScale;
    if (this.window === 0) return maxForce <= tolerance;
    this.forces.push(maxForce);
    const w = this.window;
    if (this.forces.length < w) return false;
    return this.forces.slice(-w).reduce((a, b) => a + b, 0) / w <= tolerance;
  }

  /** Records a measurement of the path's peak (stochastic energies); true when it has settled. */
  observePeak(peak: number): boolean {
    const previous = this.previousPeak;
    this.previousPeak = peak;
    return previous !== null && this.barrierScale > 0 && Math.abs(peak - previous) <= this.config.saddle * this.barrierScale;
  }
}
