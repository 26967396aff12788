// Validation of a new landscape's definition. Every check names the offending field, and the
// result is the normalised spec that gets stored (defaults filled in, per-kind fields only).
import { validateEngineSpecs } from './specs';
import { InputError } from '../../store/errors';
import {
  ARCHITECTURE_KINDS,
  AUTONEB_PRESETS,
  DATASET_NAMES,
  DEFAULT_TRAINING,
  SURFACE_NAMES,
  type ArchitectureKind,
  type ArchitectureSpec,
  type AutonebPreset,
  type DatasetName,
  type DatasetSpec,
  type TrainingConfig,
} from '../../store/specs';

type Maybe<T> = T | null | undefined;

export interface ArchitectureInputData {
  kind: string;
  widths?: Maybe<number[]>;
  depth?: Maybe<number>;
  channels?: Maybe<number[]>;
  surface?: Maybe<string>;
}

export interface DatasetInputData {
  name: string;
  dir?: Maybe<string>;
  trainSize?: Maybe<number>;
  testSize?: Maybe<number>;
  features?: Maybe<number>;
  classes?: Maybe<number>;
  seed?: Maybe<number>;
}

export interface TrainingInputData {
  steps?: Maybe<number>;
  batchSize?: Maybe<number>;
  learningRate?: Maybe<number>;
  momentum?: Maybe<number>;
  weightDecay?: Maybe<number>;
  milestones?: Maybe<number[]>;
}

export interface LandscapeInputData {
  name: string;
  architecture: ArchitectureInputData;
  dataset?: Maybe<DatasetInputData>;
  training?: Maybe<TrainingInputData>;
  autonebPreset?: Maybe<string>;
}

export interface LandscapeDefinition {
  name: string;
  architecture: ArchitectureSpec;
  dataset: DatasetSpec | null;
  training: TrainingConfig;
  autonebPreset: AutonebPreset;
}

const MAX_NAME_LENGTH = 200;
/** Generous bound against typos (a width of 1e9 would never fit in memory). */
const MAX_SIZE = 1_000_000;

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(field, `unknown ${what} ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function positiveInt(field: string, value: number, max = MAX_SIZE): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(field, `must be a positive integer of at most ${max}, got ${value}`);
  }
  return value;
}

function positiveInts(field: string, values: number[], minLength: number): number[] {
  if (values.length < minLength) throw new InputError(field, `needs at least ${minLength} entries`);
  return values.map((v, i) => positiveInt(`${field}[${i}]`, v));
}

function finiteIn(field: string, value: number, min: number, max: number, maxInclusive: boolean): number {
  const belowMax = maxInclusive ? value <= max : value < max;
  if (!Number.isFinite(value) || value < min || !belowMax) {
    throw new InputError(field, `must be in [${min}, ${max}${maxInclusive ? ']' : ')'}, got ${value}`);
  }
  return value;
}

/** The fields of ArchitectureInput each kind reads; any other field given is an error. */
const ARCHITECTURE_FIELDS: Record<ArchitectureKind, (keyof ArchitectureInputData)[]> = {
  mlp: ['widths'],
  cnn: ['channels'],
  resnet: ['depth', 'channels'],
  surface: ['surface'],
};

function required<T>(field: string, value: Maybe<T>, kind: string): T {
  if (value === null || value === undefined) throw new InputError(field, `is required for kind "${kind}"`);
  return value;
}

export function parseArchitecture(input: ArchitectureInputData, at: string): ArchitectureSpec {
  const kind = oneOf(`${at}.kind`, input.kind, ARCHITECTURE_KINDS, 'architecture kind');
  for (const field of ['widths', 'depth', 'channels', 'surface'] as const) {
    if (input[field] != null && !ARCHITECTURE_FIELDS[kind].includes(field)) {
      throw new InputError(`${at}.${field}`, `is not used by kind "${kind}"`);
    }
  }
  switch (kind) {
    case 'mlp':
      return { kind, widths: positiveInts(`${at}.widths`, required(`${at}.widths`, input.widths, kind), 1) };
    case 'cnn':
      return { kind, channels: input.channels ? positiveInts(`${at}.channels`, input.channels, 1) : [32, 64] };
    case 'resnet': {
      const depth = required(`${at}.depth`, input.depth, kind);
      // ResNets for CIFAR (He et al. 2016): three stages of n blocks of two convolutions, plus 2.
      if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0 || depth > 1202) {
        throw new InputError(`${at}.depth`, `must be 6n+2 (20, 32, 44, 56, 110, ...), got ${depth}`);
      }
      const spec: ArchitectureSpec = { kind, depth };
      if (input.channels) {
        if (input.channels.length !== 3) throw new InputError(`${at}.channels`, 'needs one width per stage (3 entries)');
        spec.channels = positiveInts(`${at}.channels`, input.channels, 3);
      }
      return spec;
    }
    case 'surface':
      return { kind, name: oneOf(`${at}.surface`, required(`${at}.surface`, input.surface, kind), SURFACE_NAMES, 'surface') };
  }
}

export function parseDataset(input: DatasetInputData, at: string): DatasetSpec {
  const name = oneOf<DatasetName>(`${at}.name`, input.name, DATASET_NAMES, 'data set');
  const spec: DatasetSpec = { name };
  if (input.dir != null) {
    if (input.dir.trim() === '') throw new InputError(`${at}.dir`, 'must not be empty');
    spec.dir = input.dir;
  }
  if (input.trainSize != null) spec.trainSize = positiveInt(`${at}.trainSize`, input.trainSize, 10_000_000);
  if (input.testSize != null) spec.testSize = positiveInt(`${at}.testSize`, input.testSize, 10_000_000);
  for (const field of ['features', 'classes'] as const) {
    const value = input[field];
    if (value == null) continue;
    if (name !== 'synthetic') throw new InputError(`${at}.${field}`, `is only used by the synthetic data set`);
    spec[field] = positiveInt(`${at}.${field}`, value);
  }
  if (input.seed != null) {
    if (!Number.isInteger(input.seed) || input.seed < 0) {
      throw new InputError(`${at}.seed`, `must be a non-negative integer, got ${input.seed}`);
    }
    spec.seed = input.seed;
  }
  return spec;
}

export function parseTraining(input: Maybe<TrainingInputData>, at: string): TrainingConfig {
  const steps = positiveInt(`${at}.steps`, input?.steps ?? DEFAULT_TRAINING.steps, 100_000_000);
  const milestones =
    input?.milestones ??
    // The paper's schedule drops the rate at 1/2 and 3/4 of training; keep the ratio for other lengths.
    (input?.steps == null ? DEFAULT_TRAINING.milestones : [Math.round(steps / 2), Math.round((3 * steps) / 4)]);
  milestones.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 1 || m >= steps || (i > 0 && m <= milestones[i - 1])) {
      throw new InputError(`${at}.milestones[${i}]`, `must increase strictly and lie in [1, steps) = [1, ${steps}), got ${m}`);
    }
  });
  return {
    steps,
    batchSize: positiveInt(`${at}.batchSize`, input?.batchSize ?? DEFAULT_TRAINING.batchSize),
    learningRate: finiteIn(`${at}.learningRate`, input?.learningRate ?? DEFAULT_TRAINING.learningRate, Number.MIN_VALUE, 100, true),
    momentum: finiteIn(`${at}.momentum`, input?.momentum ?? DEFAULT_TRAINING.momentum, 0, 1, false),
    weightDecay: finiteIn(`${at}.weightDecay`, input?.weightDecay ?? DEFAULT_TRAINING.weightDecay, 0, 1, true),
    milestones: [...milestones],
  };
}

/** Validates a landscape definition; `at` is the name of the argument holding it. */
export function parseLandscapeInput(input: LandscapeInputData, at = 'input'): LandscapeDefinition {
  const name = input.name.trim();
  if (name === '') throw new InputError(`${at}.name`, 'must not be empty');
  if (name.length > MAX_NAME_LENGTH) throw new InputError(`${at}.name`, `must be at most ${MAX_NAME_LENGTH} characters`);
  const architecture = parseArchitecture(input.architecture, `${at}.architecture`);
  let dataset: DatasetSpec | null = null;
  if (architecture.kind === 'surface') {
    if (input.dataset != null) throw new InputError(`${at}.dataset`, 'analytic surfaces take no data set');
  } else {
    if (input.dataset == null) throw new InputError(`${at}.dataset`, `is required for kind "${architecture.kind}"`);
    dataset = parseDataset(input.dataset, `${at}.dataset`);
  }
  // What the engine itself checks (ResNet depth 6n+2, a CNN's input size, ...).
  validateEngineSpecs(architecture, dataset, at);
  return {
    name,
    architecture,
    dataset,
    training: parseTraining(input.training, `${at}.training`),
    autonebPreset: oneOf(`${at}.autonebPreset`, input.autonebPreset ?? (architecture.kind === 'surface' ? 'surface' : 'paper'), AUTONEB_PRESETS, 'AutoNEB preset'),
  };
}
