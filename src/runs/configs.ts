// The configuration each kind of run stores (Run.config, jsonb): written when the run is
// created, read back by its steps. The one place where the stored JSON meets its type, checked
// against the run's kind.
import type { CycleConfig } from '../engine';
import type { Run } from '../store/entities';
import { RunKind, type AlignmentMethod } from '../store/enums';
import type { TrainingConfig } from '../store/specs';

export interface TrainRunConfig {
  minimumIds: string[];
  seeds: number[];
  /** The landscape's training config with this run's overrides. */
  training: TrainingConfig;
}

export interface ConnectRunConfig {
  pathId: string;
  preset: string | null;
  cycles: CycleConfig[];
}

/** Either a path (dense profile) or one minimum (an imported one). */
export type EvaluateRunConfig = { pathId: string; pointsPerSegment: number } | { minimumId: string };

export interface ExploreRunConfig {
  maxPairs: number | null;
  parallel: number;
  tolerance: number | null;
  preset: string;
  cycles: CycleConfig[];
  decisions: never[];
  /** Connect each pair with `align` (B permuted to match A first); null or absent: raw minima. */
  align?: AlignmentMethod | null;
}

export interface AlignRunConfig {
  /** The aligned copy this run fills in (created TRAINING with the run). */
  minimumId: string;
}

export interface CurvatureRunConfig {
  /** A minimum, or a path with the position t of its saddle when the run was started. */
  target: { minimumId: string } | { pathId: string; t: number };
  k: number;
  seed: number;
  traceProbes: number;
}

export interface CurveRunConfig {
  pathId: string;
  kind: 'bezier' | 'polychain';
  epochs: number;
  /** Mini-batches per epoch: one pass over the training set unless given. */
  stepsPerEpoch: number;
  /** Examples per mini-batch (the landscape's training batch size). */
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** Points of the dense evaluation of the finished curve. */
  points: number;
  seed: number;
}

export interface RunConfigs {
  [RunKind.TRAIN]: TrainRunConfig;
  [RunKind.CONNECT]: ConnectRunConfig;
  [RunKind.EVALUATE]: EvaluateRunConfig;
  [RunKind.EXPLORE]: ExploreRunConfig;
  [RunKind.ALIGN]: AlignRunConfig;
  [RunKind.CURVATURE]: CurvatureRunConfig;
  [RunKind.CURVE]: CurveRunConfig;
}

/** The run's stored config as its kind's type; throws when the run is of another kind. */
export function runConfig<K extends keyof RunConfigs>(run: Pick<Run, 'kind' | 'config' | 'id'>, kind: K): RunConfigs[K] {
  if (run.kind !== kind) throw new Error(`run ${run.id} is a ${run.kind} run, not ${kind}`);
  return run.config as unknown as RunConfigs[K];
}

/** A config to store on a new run of that kind. */
export function storedConfig<K extends keyof RunConfigs>(_kind: K, config: RunConfigs[K]): Record<string, unknown> {
  return config as unknown as Record<string, unknown>;
}
