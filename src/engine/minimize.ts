/**
 * Local minimisation of an Energy by gradient descent with a backtracking (Armijo) step size:
 * robust across the very different scales of the analytic surfaces (gradients of order 1 on
 * Himmelblau, of order 1000 on Müller-Brown) without a tuned learning rate. Meant for
 * deterministic energies (surfaces); neural minima are trained with SGD elsewhere.
 */
import type { Energy, Vector } from './energy';
import { InvalidInputError } from './errors';
import { checkedLossAndGradient, checkPoint } from './energy-checks';
import { firstNonFinite, norm } from './vector';

export interface MinimizeOptions {
  /** Stop when the gradient norm is at most this (default 1e-3). */
  readonly tolerance?: number;
  /** Maximum number of energy evaluations (default 10000). */
  readonly maxSteps?: number;
  /** First trial step size, in coordinate units per unit gradient (default 1e-3). */
  readonly initialStepSize?: number;
  readonly signal?: AbortSignal;
}

export interface MinimizeResult {
  readonly point: Vector;
  readonly energy: number;
  readonly gradientNorm: number;
  /** Energy evaluations used. */
  readonly steps: number;
  /** True when the gradient norm reached the tolerance. */
  readonly converged: boolean;
}

const ARMIJO = 1e-4;

export async function minimize(energy: Energy, start: Vector, options: MinimizeOptions = {}): Promise<MinimizeResult> {
  const tolerance = options.tolerance ?? 1e-3;
  const maxSteps = options.maxSteps ?? 10000;
  let stepSize = options.initialStepSize ?? 1e-3;
  if (!(tolerance >= 0)) throw new InvalidInputError('tolerance', `must be >= 0, got ${tolerance}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new InvalidInputError('maxSteps', `must be a positive integer, got ${maxSteps}`);
  if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new InvalidInputError('initialStepSize', `must be > 0, got ${stepSize}`);
  checkPoint(energy, start, 'start');

  options.signal?.throwIfAborted();
  let point = Float32Array.from(start);
  const first = await checkedLossAndGradient(energy, [point]);
  let value = first.losses[0];
  let gradient = first.gradients[0];
  let steps = 1;
  while (steps < maxSteps && norm(gradient) > tolerance) {
    options.signal?.throwIfAborted();
    const gradientNorm2 = norm(gradient) ** 2;
    const trial = new Float32Array(point.length);
    for (let i = 0; i < point.length; i++) trial[i] = point[i] - stepSize * gradient[i];
    const result = await energy.lossAndGradient([trial]);
    steps++;
    // A trial with a non-finite energy is a step too far (e.g. an exponential wall): shrink.
    if (isFiniteResult(result.losses[0], result.gradients[0]) && result.losses[0] <= value - ARMIJO * stepSize * gradientNorm2) {
      point = trial;
      value = result.losses[0];
      gradient = result.gradients[0];
      stepSize *= 2;
    } else {
      stepSize /= 2;
      // Below float32 resolution no trial point differs from the current one: stop.
      if (stepSize * Math.sqrt(gradientNorm2) < 1e-9 * (1 + norm(point))) break;
    }
  }
  const gradientNorm = norm(gradient);
  return { point, energy: value, gradientNorm, steps, converged: gradientNorm <= tolerance };
}

function isFiniteResult(loss: number, gradient: Vector | undefined): boolean {
  return Number.isFinite(loss) && gradient !== undefined && firstNonFinite(gradient) < 0;
}
