// A landscape as the engine sees it: the bridge from a stored landscape (architecture, data set,
// training config as JSON) to engine objects. Workers are the only place where engine and store
// meet; this module is where the stored specs are read.
import {
  energyGradients,
  getSurface,
  minimize,
  randomPointInBox,
  Random,
  type AnalyticSurface,
  type Energy,
  type GradientSource,
  type Vector,
} from '../../engine';
import { lerp } from '../../engine/vector';
import { linePositions } from '../../engine/linear-connectivity';
import type { Landscape } from '../../store/entities';
import type { TrainingConfig } from '../../store/specs';
import { buildNeuralProblem } from './neural-problem';

/** Train and test loss and error of one point; errors are null where they mean nothing (surfaces). */
export interface Metrics {
  trainLoss: number;
  testLoss: number;
  trainError: number | null;
  testError: number | null;
}

export interface TrainingProgress {
  step: number;
  steps: number;
  loss: number;
  learningRate?: number;
}

/** A named tensor of the parameter vector, in PyTorch's naming and shape (for safetensors). */
export interface ParameterTensor {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** One point of a straight line between two minima, on the full sets. */
export interface LineMetrics extends Metrics {
  t: number;
}

export interface LineEvaluation {
  points: LineMetrics[];
  /** BatchNorm running statistics at the interior points: recomputed on training batches, or none to recompute. */
  batchNorm: 'RECOMPUTED' | 'NONE';
}

export type AlignmentMethodName = 'weight-matching' | 'activation-matching';

export interface AlignedPoint {
  point: Vector;
  sweeps: number;
  seconds: number;
}

export interface Problem {
  readonly dimension: number;
  /** The energy AutoNEB works on (stochastic batches for networks). */
  readonly energy: Energy;
  readonly layout: readonly ParameterTensor[];
  /** A minimum from this seed: SGD for networks, descent from a seeded random start on surfaces. */
  trainMinimum(
    seed: number,
    training: TrainingConfig,
    options: { signal?: AbortSignal; onProgress?: (progress: TrainingProgress) => void },
  ): Promise<Vector>;
  /** Full train and test metrics at one point. */
  evaluate(point: Vector): Promise<Metrics>;
  /** Train and test metrics at many points (dense profile of a path), evaluated together. */
  evaluateMany(points: readonly Vector[]): Promise<Metrics[]>;
  /**
   * The loss a curve's bend point is trained on: a fresh mini-batch of `batchSize` training
   * examples per call (networks), with the training set's size (for the epochs); null on surfaces,
   * which have no data set (the service refuses them).
   */
  curveEnergy(batchSize: number, seed: string): { energy: Energy; trainCount: number } | null;
  /**
   * Networks with BatchNorm: `point` with its running statistics recomputed from training batches
   * (Garipov et al.'s update_bn), for points between minima, whose interpolated statistics do not
   * describe them. Absent for models without BatchNorm and for surfaces.
   */
  recomputeStatistics?(point: Vector, seed: string): Vector;
  /** Deterministic gradients for curvature at `at` (networks: one fixed training batch, BatchNorm in inference mode with `at`'s statistics). */
  curvatureSource(at: Vector): GradientSource;
  /** The straight line a -> b at `points` positions on the full train and test sets. */
  evaluateLine(a: Vector, b: Vector, points: number): Promise<LineEvaluation>;
  /**
   * `moving` with its hidden units permuted to match `reference` (networks only: a surface has no
   * permutation symmetry, which the service rejects before a run starts).
   */
  align(moving: Vector, reference: Vector, options: { method: AlignmentMethodName; seed: number }): Promise<AlignedPoint>;
  dispose(): void;
}

class SurfaceProblem implements Problem {
  readonly dimension = 2;
  readonly layout = [{ name: 'xy', shape: [2], offset: 0, size: 2 }];

  constructor(readonly energy: AnalyticSurface) {}

  async trainMinimum(seed: number, _training: TrainingConfig, options: { signal?: AbortSignal }): Promise<Vector> {
    const start = randomPointInBox(this.energy.box, new Random(seed));
    const result = await minimize(this.energy, start, { tolerance: 1e-4, maxSteps: 20000, signal: options.signal });
    return result.point;
  }

  async evaluate(point: Vector): Promise<Metrics> {
    return (await this.evaluateMany([point]))[0];
  }

  async evaluateMany(points: readonly Vector[]): Promise<Metrics[]> {
    // A surface has one energy: it is both the "train" and the "test" loss; no error rate.
    const losses = await this.energy.loss(points);
    return losses.map((loss) => ({ trainLoss: loss, testLoss: loss, trainError: null, testError: null }));
  }

  curvatureSource(): GradientSource {
    return energyGradients(this.energy);
  }

  curveEnergy(): null {
    return null;
  }

  async evaluateLine(a: Vector, b: Vector, points: number): Promise<LineEvaluation> {
    const ts = linePositions(points);
    const metrics = await this.evaluateMany(ts.map((t) => lerp(a, b, t)));
    return { points: metrics.map((m, i) => ({ t: ts[i], ...m })), batchNorm: 'NONE' };
  }

  async align(): Promise<AlignedPoint> {
    throw new Error('an analytic surface has no hidden units to align');
  }

  dispose(): void {}
}

export function buildProblem(landscape: Landscape): Problem {
  const architecture = landscape.architecture;
  if (architecture.kind === 'surface') return new SurfaceProblem(getSurface(architecture.name));
  return buildNeuralProblem(landscape);
}

/**
 * Problems are built once per landscape and process: loading a data set and compiling a model
 * cost seconds, and a run's steps arrive one job at a time.
 */
export class ProblemCache {
  private readonly problems = new Map<string, Problem>();

  get(landscape: Landscape): Problem {
    let problem = this.problems.get(landscape.id);
    if (!problem) {
      problem = buildProblem(landscape);
      this.problems.set(landscape.id, problem);
    }
    return problem;
  }

  clear(): void {
    for (const problem of this.problems.values()) problem.dispose();
    this.problems.clear();
  }
}
