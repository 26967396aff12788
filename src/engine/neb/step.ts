/**
 * One NEB update: evaluate the pivots (one energy call, so a stochastic energy uses one batch
 * for all of them), compute the method's forces, let the optimiser move the interior pivots
 * along the forces, then let the method re-parametrise (string method: equal spacing).
 * Evaluation and move are separate so a caller can judge the forces before moving. A NebWorkspace
 * makes the step allocate no vector (its passes over D are fused: see the methods and optimisers).
 * An energy that offers a KernelRunner (the pool: `kernels`) with a workspace in shared memory
 * gets the step's per-pivot kernels run in its threads (only scalars come back); the pivots are
 * the same bit for bit as on the calling thread.
 */
import type { Energy, Vector } from '../energy';
import { NonFiniteEnergyError } from '../energy';
import { checkedLossAndGradient } from '../energy-checks';
import { firstNonFinite } from '../vector';
import { runLocally, runPhasesOn, type KernelRunner, type Phases } from './kernels';
import type { NebForces, NebMethod } from './methods';
import { highestInteriorPivot, maxForce, maxPerpendicularGradient } from './methods';
import type { PathOptimizer } from './optimizers';
import type { NebWorkspace } from './workspace';

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

/**
 * Energies and NEB forces of a path, without moving it. With a workspace the forces are written
 * into its buffers (valid until the next evaluation with that workspace).
 */
export async function evaluateNebForces(
  energy: Energy,
  pivots: readonly Vector[],
  method: NebMethod,
  climbing = false,
  endpoints?: EndpointEnergies,
  workspace?: NebWorkspace,
): Promise<NebEvaluation> {
  const last = pivots.length - 1;
  const evaluated = endpoints ? pivots.slice(1, last) : pivots;
  const { losses: evaluatedLosses, gradients: evaluatedGradients, release } = await checkedLossAndGradient(energy, evaluated);
  // The methods read no endpoint gradient: one shared zero vector stands in for both.
  const ends = endpoints ? new Float32Array(0) : null;
  const losses = endpoints ? [endpoints[0], ...evaluatedLosses, endpoints[1]] : evaluatedLosses;
  const gradients = ends ? [ends, ...evaluatedGradients, ends] : evaluatedGradients;
  const climber = climbing ? highestInteriorPivot(losses) : -1;
  const buffers = workspace?.forceBuffers(pivots.length, energy.dimension);
  const phases = method.forcePhases({ pivots, energies: losses, gradients, climbing: climber }, buffers);
  const runner = kernelRunner(energy, workspace);
  const forces = runner ? await runPhasesOn(runner, phases) : runLocally(phases);
  release?.(); // the forces are in other vectors: the gradients are read no more
  return {
    energies: [...losses],
    forces,
    climbing: climber,
    maxPerpendicularGradient: maxPerpendicularGradient(forces),
    maxForce: maxForce(forces),
    evaluations: evaluated.length,
  };
}

/**
 * Moves the pivots along an evaluation's forces and re-parametrises: new vectors, or with a
 * workspace its band buffers (see NebWorkspace for how long they stay valid). The input is unchanged.
 */
export function applyNebStep(pivots: readonly Vector[], evaluation: NebEvaluation, options: NebStepOptions, workspace?: NebWorkspace): Vector[] {
  return runLocally(stepPhases(pivots, evaluation, options, workspace));
}

/**
 * applyNebStep with the per-pivot kernels on `energy`'s KernelRunner when it has one and the
 * workspace is in shared memory (pivots elsewhere are first copied into the workspace).
 */
export async function applyNebStepOn(energy: Energy, pivots: readonly Vector[], evaluation: NebEvaluation, options: NebStepOptions, workspace?: NebWorkspace): Promise<Vector[]> {
  const runner = kernelRunner(energy, workspace);
  if (!runner || !workspace) return applyNebStep(pivots, evaluation, options, workspace);
  return runPhasesOn(runner, stepPhases(workspace.hold(pivots), evaluation, options, workspace));
}

/** The energy's KernelRunner when the step's vectors can be shared with it. */
function kernelRunner(energy: Energy, workspace?: NebWorkspace): KernelRunner | null {
  return energy.kernels && workspace?.memory === 'shared' ? energy.kernels : null;
}

function* stepPhases(pivots: readonly Vector[], evaluation: NebEvaluation, options: NebStepOptions, workspace?: NebWorkspace): Phases<Vector[]> {
  const n = pivots.length;
  const dimension = pivots[0].length;
  const last = n - 1;
  const moved = workspace ? workspace.band(n, dimension, [pivots]) : pivots.map(() => new Float32Array(dimension));
  // The optimisers minimise along the path's gradient, the negative force: they read the forces.
  const forces = evaluation.forces.forces.map((f, i) => (i === 0 || i === last ? null : f));
  const finite = yield* options.optimizer.phasesAlong(pivots, forces, options.forceFactor ?? 1, options.learningRate, moved);
  const into = workspace?.band(n, dimension, [pivots, moved]);
  const next = yield* options.method.redistributePhases(moved, evaluation.climbing >= 0 ? [evaluation.climbing] : [], into);
  // The endpoints were checked, and re-parametrised pivots interpolate finite moved ones.
  if (!finite) {
    next.forEach((p, i) => {
      const bad = firstNonFinite(p);
      if (bad >= 0) {
        throw new NonFiniteEnergyError('coordinate', i, `pivot ${i} became ${p[bad]} after an update with learning rate ${options.learningRate}`);
      }
    });
  }
  return next;
}

export async function nebStep(energy: Energy, pivots: readonly Vector[], options: NebStepOptions, endpoints?: EndpointEnergies, workspace?: NebWorkspace): Promise<NebStepResult> {
  const evaluation = await evaluateNebForces(energy, pivots, options.method, options.climbing ?? false, endpoints, workspace);
  return { ...evaluation, pivots: applyNebStep(pivots, evaluation, options, workspace) };
}
