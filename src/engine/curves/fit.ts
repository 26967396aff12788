/**
 * Training a curve's bend point by SGD (Garipov et al. 2018, dnn-mode-connectivity): each step
 * draws t uniformly, evaluates the loss (one mini-batch for a network) at φ(t), adds weight decay
 * at that point, and moves θ by w(t) times the gradient. Learning rate: Garipov's schedule (the base
 * rate for the first half, linear decay to 1 % of it by 90 %, then 1 %). Then the curve is
 * evaluated densely (61 points by default) and its highest point is the curve's saddle.
 */
import type { Energy, Vector } from '../energy';
import { NonFiniteEnergyError } from '../energy';
import { InvalidInputError } from '../errors';
import { Random } from '../random';
import { coefficients, pointOnCurve, straightBend, CURVE_KINDS, type Curve, type CurveKind } from './curve';

export interface CurveFitConfig {
  kind: CurveKind;
  /** Epochs (progress is reported per epoch). */
  epochs: number;
  stepsPerEpoch: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** Dense evaluation points along the finished curve. */
  points: number;
  seed: number | string;
}

export const DEFAULT_CURVE_FIT: CurveFitConfig = { kind: 'bezier', epochs: 20, stepsPerEpoch: 100, learningRate: 0.01, momentum: 0.9, weightDecay: 0, points: 61, seed: 0 };

export interface CurveEpoch {
  epoch: number;
  epochs: number;
  /** Mean loss over the epoch's sampled points. */
  loss: number;
  learningRate: number;
  /** The bend point and momentum after this epoch (the state a resumed fit starts from). */
  bend: Vector;
  velocity: Float64Array;
  /** Gradient evaluations so far, including those of the epochs a resumed fit skipped. */
  evaluations: number;
}

/** Where a resumed fit starts: after `epochsDone` epochs with this bend point and momentum. */
export interface CurveFitStart {
  epochsDone: number;
  bend: Vector;
  velocity?: Float64Array | null;
  evaluations?: number;
}

export interface CurveFitOptions {
  start?: CurveFitStart;
  signal?: AbortSignal;
  /** Skip the dense evaluation (a caller evaluating the curve its own way). */
  skipProfile?: boolean;
}

export interface CurveFit {
  curve: Curve;
  /** Dense evaluation: t and energy (Energy.loss) at `points` equally spaced t. */
  t: number[];
  energy: number[];
  points: Vector[];
  saddle: { t: number; energy: number; index: number };
  /** Gradient evaluations of training plus loss evaluations of the dense profile. */
  evaluations: number;
}

/** Garipov's learning-rate schedule at fraction `done` of training. */
export function garipovLearningRate(base: number, done: number): number {
  if (done <= 0.5) return base;
  if (done <= 0.9) return base * (1 - ((done - 0.5) / 0.4) * 0.99);
  return base * 0.01;
}

export async function fitCurve(
  energy: Energy,
  a: Vector,
  b: Vector,
  config: Partial<CurveFitConfig> = {},
  onEpoch?: (e: CurveEpoch) => void | Promise<void>,
  options: CurveFitOptions = {},
): Promise<CurveFit> {
  const c = { ...DEFAULT_CURVE_FIT, ...config };
  if (!CURVE_KINDS.includes(c.kind)) throw new InvalidInputError('kind', `expected one of ${CURVE_KINDS.join(', ')}, got ${JSON.stringify(c.kind)}`);
  for (const key of ['epochs', 'stepsPerEpoch', 'points'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < (key === 'points' ? 2 : 1)) throw new InvalidInputError(key, `must be an integer >= ${key === 'points' ? 2 : 1}, got ${c[key]}`);
  }
  if (a.length !== energy.dimension || b.length !== energy.dimension) throw new InvalidInputError('b', `endpoints must have ${energy.dimension} coordinates`);
  const start = options.start;
  if (start && (!Number.isInteger(start.epochsDone) || start.epochsDone < 0 || start.epochsDone > c.epochs || start.bend.length !== energy.dimension)) {
    throw new InvalidInputError('start', `a stored state after ${start.epochsDone} of ${c.epochs} epochs with ${start.bend.length} coordinates does not fit`);
  }
  // The t of each epoch are drawn from their own stream, so a resumed fit draws what it would have.
  const random = new Random(c.seed).derive('curve');
  const curve: Curve = { kind: c.kind, a, b, bend: start ? new Float32Array(start.bend) : straightBend(c.kind, a, b) };
  const velocity = start?.velocity ? new Float64Array(start.velocity) : new Float64Array(energy.dimension);
  let evaluations = start?.evaluations ?? 0;
  for (let epoch = start?.epochsDone ?? 0; epoch < c.epochs; epoch++) {
    options.signal?.throwIfAborted();
    const draws = random.derive(epoch);
    const learningRate = garipovLearningRate(c.learningRate, epoch / c.epochs);
    let sum = 0;
    for (let step = 0; step < c.stepsPerEpoch; step++) {
      const t = draws.uniform();
      const weight = coefficients(c.kind, t)[1];
      const point = pointOnCurve(curve, t);
      const { losses, gradients } = await energy.lossAndGradient([point]);
      evaluations++;
      if (!Number.isFinite(losses[0])) throw new NonFiniteEnergyError('loss', 0, `curve at t=${t.toFixed(4)}, epoch ${epoch + 1}`);
      sum += losses[0];
      const g = gradients[0];
      for (let i = 0; i < velocity.length; i++) {
        const grad = weight * (g[i] + c.weightDecay * point[i]);
        velocity[i] = c.momentum * velocity[i] + grad;
        curve.bend[i] -= learningRate * velocity[i];
      }
      if (curve.bend.some((x) => !Number.isFinite(x))) throw new NonFiniteEnergyError('coordinate', 0, `bend point, epoch ${epoch + 1}`);
    }
    await onEpoch?.({ epoch: epoch + 1, epochs: c.epochs, loss: sum / c.stepsPerEpoch, learningRate, bend: new Float32Array(curve.bend), velocity: new Float64Array(velocity), evaluations });
  }
  if (options.skipProfile) return { curve, t: [], energy: [], points: [], saddle: { t: NaN, energy: NaN, index: -1 }, evaluations };
  const profile = await curveProfile(energy, curve, c.points);
  return { curve, ...profile, evaluations: evaluations + profile.points.length };
}

/** The curve at `count` equally spaced t, its energies (Energy.loss) and its highest point. */
export async function curveProfile(
  energy: Energy,
  curve: Curve,
  count: number,
  /** Applied to each interior point before it is evaluated (networks: BatchNorm statistics recomputed there). */
  prepare?: (point: Vector, t: number) => Vector,
): Promise<Pick<CurveFit, 't' | 'energy' | 'points' | 'saddle'>> {
  const t = Array.from({ length: count }, (_, i) => i / (count - 1));
  const points = t.map((x, i) => {
    const point = pointOnCurve(curve, x);
    return prepare && i > 0 && i < count - 1 ? prepare(point, x) : point;
  });
  const values = await energy.loss(points);
  let top = 0;
  values.forEach((v, i) => {
    if (v > values[top]) top = i;
  });
  return { t, energy: values, points, saddle: { t: t[top], energy: values[top], index: top } };
}
