/**
 * One NEB update: evaluate the pivots (one energy call, so a stochastic energy uses one batch
 * for all of them), compute the method's forces, let the optimiser move the interior pivots
 * along the forces, then let the method re-parametrise (string method: equal spacing).
 * Evaluation and move are separate so a caller can judge the forces before moving.
 */
import type { Energy, Vector } from '../energy';
import { NonFiniteEnergyError } from '../energy';
import { checkedLossAndGradient } from '../energy-checks';
import { firstNonFinite } from '../vector';
import type { NebForces, NebMethod } from './methods';
import { highestInteriorPivot, maxForce, maxPerpendicularGradient } from './methods';
import type { PathOptimizer } from './optimizers';

export interface NebStepOptions {
  readonly method: NebMethod;
  readonly optimizer: PathOptimizer;
  readonly learningRate: number;
  /** Let the highest interior pivot climb (default false). */
  readonly climbing?: boolean;
  /** The optimiser sees the forces multiplied by this (default 1; see AutoNEB's relativeUnits). */
  readonly forceFactor?: number;
}

/** Energies of the two endpoints, when they are known (fixed minima): they are then not evaluated. */
export type EndpointEnergies = readonly [number, number];

export interface NebEvaluation {
  /** Energy of each pivot at the evaluated positions. */
  readonly energies: number[];
  readonly forces: NebForces;
  /** Index of the climbing pivot, -1 if none. */
  readonly climbing: number;
  /** Largest |grad perpendicular to the path| over the interior pivots. */
  readonly maxPerpendicularGradient: number;
  /** Largest |NEB force| over the interior pivots, the climbing pivot's full gradient included. */
  readonly maxForce: number;
  /** Points passed to the energy. */
  readonly evaluations: number;
}

export interface NebStepResult extends NebEvaluation {
  /** The pivots after the update (new vectors; the input is unchanged). */
  readonly pivots: Vector[];
}

/** Energies and NEB forces of a path, without moving it. */
export async function evaluateNebForces(energy: Energy, pivots: readonly Vector[], method: NebMethod, climbing = false, endpoints?: EndpointEnergies): Promise<NebEvaluation> {
  const last = pivots.length - 1;
  const evaluated = endpoints ? pivots.slice(1, last) : pivots;
  const { losses: evaluatedLosses, gradients: evaluatedGradients, release } = await checkedLossAndGradient(energy, evaluated);
  // The methods read no endpoint gradient: one shared zero vector stands in for both.
  const ends = endpoints ? new Float32Array(0) : null;
  const losses = endpoints ? [endpoints[0], ...evaluatedLosses, endpoints[1]] : evaluatedLosses;
  const gradients = ends ? [ends, ...evaluatedGradients, ends] : evaluatedGradients;
  const climber = climbing ? highestInteriorPivot(losses) : -1;
  const forces = method.forces({ pivots, energies: losses, gradients, climbing: climber });
  release?.(); // the forces are new vectors: the gradients are read no more
  return {
    energies: [...losses],
    forces,
    climbing: climber,
    maxPerpendicularGradient: maxPerpendicularGradient(forces),
    maxForce: maxForce(forces),
    evaluations: evaluated.length,
  };
}

/** Moves the pivots along an evaluation's forces and re-parametrises; new vectors. */
export function applyNebStep(pivots: readonly Vector[], evaluation: NebEvaluation, options: NebStepOptions): Vector[] {
  const moved = pivots.map((p) => Float32Array.from(p));
  const last = pivots.length - 1;
  const factor = options.forceFactor ?? 1;
  // The optimisers minimise, so they get the negative force as the path's gradient.
  const pathGradients = evaluation.forces.forces.map((f, i) => (i === 0 || i === last ? null : negated(f, factor)));
  options.optimizer.step(moved, pathGradients, options.learningRate);
  const next = options.method.redistribute(moved, evaluation.climbing >= 0 ? [evaluation.climbing] : []);
  next.forEach((p, i) => {
    const bad = firstNonFinite(p);
    if (bad >= 0) {
      throw new NonFiniteEnergyError('coordinate', i, `pivot ${i} became ${p[bad]} after an update with learning rate ${options.learningRate}`);
    }
  });
  return next;
}

export async function nebStep(energy: Energy, pivots: readonly Vector[], options: NebStepOptions, endpoints?: EndpointEnergies): Promise<NebStepResult> {
  const evaluation = await evaluateNebForces(energy, pivots, options.method, options.climbing ?? false, endpoints);
  return { ...evaluation, pivots: applyNebStep(pivots, evaluation, options) };
}

/** -factor v as a new vector (a plain loop: TypedArray.map with a callback was 10% of a step's time). */
function negated(v: Vector, factor: number): Vector {
  const out = new Float32Array(v.length);
  if (factor === 1) for (let i = 0; i < v.length; i++) out[i] = -v[i];
  else for (let i = 0; i < v.length; i++) out[i] = -factor * v[i];
  return out;
}
