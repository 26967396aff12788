// Shapes of the JSON specs a landscape is defined by (stored as jsonb). Validation lives in
// landscape-input.ts; these types are what the engine and workers read back.
import { PRESETS, SURFACES, type PresetName } from '../engine';

export type ArchitectureSpec =
  | { kind: 'mlp'; widths: number[] }
  | { kind: 'cnn'; channels: number[] }
  | { kind: 'resnet'; depth: number; channels?: number[] }
  | { kind: 'surface'; name: string };

export type ArchitectureKind = ArchitectureSpec['kind'];

export const ARCHITECTURE_KINDS: readonly ArchitectureKind[] = ['mlp', 'cnn', 'resnet', 'surface'];

export const DATASET_NAMES = ['mnist', 'mnist-idx', 'cifar10', 'cifar100', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetSpec {
  name: DatasetName;
  /** Directory with the files of a data set read from disk (IDX, CIFAR binary). */
  dir?: string;
  /** Use only the first n training / test examples. */
  trainSize?: number;
  testSize?: number;
  /** Synthetic data: input dimension, number of classes, generator seed. */
  features?: number;
  classes?: number;
  seed?: number;
}

/** Training of minima: SGD with momentum, weight decay, and a step learning-rate schedule. */
export interface TrainingConfig {
  steps: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** Steps at which the learning rate drops tenfold. */
  milestones: number[];
}

/** The paper's configuration for minima (torch_autoneb configs/cifar10-resnet20.yaml). */
export const DEFAULT_TRAINING: TrainingConfig = {
  steps: 64000,
  batchSize: 128,
  learningRate: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  milestones: [32000, 48000],
};

/**
 * Named AutoNEB configurations of the engine (src/engine/autoneb/config.ts): `paper` is the
 * published schedule (14 cycles), `small` and `tiny` are shortened ones, `surface` suits the 2-D surfaces.
 */
export const AUTONEB_PRESETS = Object.keys(PRESETS) as PresetName[];
export type AutonebPreset = PresetName;

/** Names of the analytic 2-D surfaces the engine implements (src/engine/surfaces.ts). */
export const SURFACE_NAMES: readonly string[] = Object.keys(SURFACES);
