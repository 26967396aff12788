/**
 * Data sets by spec. Loaded data sets are cached per process (keyed by the spec), so energies,
 * training and evaluation on the same spec share one copy; worker threads load their own.
 */
import { InvalidInputError } from '../../errors';
import { loadCifar } from './cifar';
import { channelStatistics, limitSplit, exampleSize, type Dataset } from './dataset';
import { loadFashionMnist, loadMnistIdx } from './idx';
import { loadBundledMnist } from './mnist-bundled';
import { validateDataSpec, type DataSpec } from './spec';
import { loadSynthetic } from './synthetic';

export type { DataSpec, DataKind, MnistBundledSpec, MnistIdxSpec, FashionMnistSpec, CifarSpec, SyntheticSpec } from './spec';
export { validateDataSpec, DATA_KINDS } from './spec';
export type { Dataset, Split } from './dataset';
export { DataFileError, exampleSize } from './dataset';
export type { Batch } from './batches';
export { makeBatch, batchTensors, sampleIndices, BatchSampler, chunks, AUGMENT_PADDING } from './batches';
export { parseIdx, checkFashionMnistFiles, FASHION_MNIST_DIR, FASHION_MNIST_PACKAGE } from './idx';
export { bundledTestCount } from './mnist-bundled';

function loadRaw(spec: DataSpec): Omit<Dataset, 'normalization' | 'augment'> {
  switch (spec.kind) {
    case 'mnist':
      return loadBundledMnist();
    case 'mnist-idx':
      return loadMnistIdx(spec.dir);
    case 'fashion-mnist':
      return loadFashionMnist(spec.dir);
    case 'cifar10':
    case 'cifar100':
      return loadCifar(spec.kind, spec.dir);
    case 'synthetic':
      return loadSynthetic(spec);
  }
}

const cache = new Map<string, Dataset>();

/** Loads (or returns the cached) data set of a spec; throws DataFileError naming a bad file. */
export function loadDataset(spec: DataSpec | unknown): Dataset {
  const valid = validateDataSpec(spec);
  const key = JSON.stringify(valid);
  const cached = cache.get(key);
  if (cached) return cached;
  const raw = loadRaw(valid);
  const size = exampleSize(raw);
  const train = limitSplit(raw.train, valid.trainSize, size);
  const test = limitSplit(raw.test, valid.testSize, size);
  const normalize = valid.normalize ?? valid.kind !== 'synthetic';
  let normalization: Dataset['normalization'] = null;
  if (typeof normalize === 'object') {
    if (normalize.mean.length !== raw.shape[2]) {
      throw new InvalidInputError('data.normalize', `expected ${raw.shape[2]} channel values, got ${normalize.mean.length}`);
    }
    normalization = normalize;
  } else if (normalize) normalization = channelStatistics(train, raw.shape, raw.scale);
  const dataset: Dataset = { ...raw, train, test, normalization, augment: valid.augment ?? false };
  cache.set(key, dataset);
  return dataset;
}

/** What a user of exported parameters needs to know of a data set. */
export interface DatasetFacts {
  readonly trainSize: number;
  readonly testSize: number;
  /** Values per example (height x width x channels). */
  readonly features: number;
  readonly classes: number;
  readonly shape: readonly [number, number, number];
  /** Per-channel mean and std in [0, 1] pixel units, subtracted and divided before the model; null for none. */
  readonly normalization: { readonly mean: number[]; readonly std: number[] } | null;
}

const facts = new Map<string, DatasetFacts>();

/**
 * The facts of a spec's data set, as the engine uses it (limits and normalisation applied). Kept
 * per spec without the images: a server answering queries need not hold every data set.
 */
export function describeDataset(spec: DataSpec | unknown): DatasetFacts {
  const valid = validateDataSpec(spec);
  const key = JSON.stringify(valid);
  const known = facts.get(key);
  if (known) return known;
  const held = cache.get(key);
  const data = held ?? loadDataset(valid);
  const described: DatasetFacts = {
    trainSize: data.train.count,
    testSize: data.test.count,
    features: exampleSize(data),
    classes: data.classes,
    shape: data.shape,
    normalization: data.normalization,
  };
  // A data set loaded only to be described is not kept (it may be hundreds of MB).
  if (!held) cache.delete(key);
  facts.set(key, described);
  return described;
}

/** Forgets cached data sets (tests, memory). */
export function clearDatasetCache(): void {
  cache.clear();
  facts.clear();
}
