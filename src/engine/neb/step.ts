/**
 * One NEB update: evaluate the pivots (one energy call, so a stochastic energy uses one batch
 * for all of them), compute the method's forces, let the optimiser move the interior pivots
 * along the forces, then let the method re-parametrise (string method: equal spacing).
 */
import type { Energy, Vector } from '../energy';
import { NonFiniteEnergyError } from '../energy';
import { checkedLossAndGradient } from '../energy-checks';
import { firstNonFinite } from '../vector';
import type { NebForces, NebMethod } from './methods';
import { highestInteriorPivot, maxPerpendicularGradient } from './methods';
import type { PathOptimizer } from './optimizers';

export interface NebStepOptions {
  readonly method: NebMethod;
  readonly optimizer: PathOptimizer;
  readonly learningRate: number;
  /** Let the highest interior pivot climb (default false). */
  readonly climbing?: boolean;
}

export interface NebEvaluation {
  /** Energy of each pivot at the evaluated positions. */
  readonly energies: number[];
  readonly forces: NebForces;
  /** Index of the climbing pivot, -1 if none. */
  readonly climbing: number;
  /** Largest |grad perpendicular to the path| over the interior pivots. */
  readonly maxPerpendicularGradient: number;
}

export interface NebStepResult extends NebEvaluation {
  /** The pivots after the update (new vectors; the input is unchanged). */
  readonly pivots: Vector[];
}

/** Energies and NEB forces of a path, without moving it. */
export async function evaluateNebForces(energy: Energy, pivots: readonly Vector[], method: NebMethod, climbing = false): Promise<NebEvaluation> {
  const { losses, gradients, release } = await checkedLossAndGradient(energy, pivots);
  const climber = climbing ? highestInteriorPivot(losses) : -1;
  const forces = method.forces({ pivots, energies: losses, gradients, climbing: climber });
  release?.(); // the forces are new vectors: the gradients are read no more
  return { energies: [...losses], forces, climbing: climber, maxPerpendicularGradient: maxPerpendicularGradient(forces) };
}

export async function nebStep(energy: Energy, pivots: readonly Vector[], options: NebStepOptions): Promise<NebStepResult> {
  const evaluation = await evaluateNebForces(energy, pivots, options.method, options.climbing ?? false);
  const moved = pivots.map((p) => Float32Array.from(p));
  const last = pivots.length - 1;
  // The optimisers minimise, so they get the negative force as the path's gradient.
  const pathGradients = evaluation.forces.forces.map((f, i) => (i === 0 || i === last ? null : negated(f)));
  options.optimizer.step(moved, pathGradients, options.learningRate);
  const next = options.method.redistribute(moved, evaluation.climbing >= 0 ? [evaluation.climbing] : []);
  next.forEach((p, i) => {
    const bad = firstNonFinite(p);
    if (bad >= 0) {
      throw new NonFiniteEnergyError('coordinate', i, `pivot ${i} became ${p[bad]} after an update with learning rate ${options.learningRate}`);
    }
  });
  return { ...evaluation, pivots: next };
}

/** -v as a new vector (a plain loop: TypedArray.map with a callback was 10% of a step's time). */
function negated(v: Vector): Vector {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = -v[i];
  return out;
}
