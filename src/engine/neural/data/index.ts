/**
 * Data sets by spec. Loaded data sets are cached per process (keyed by the spec), so energies,
 * training and evaluation on the same spec share one copy; worker threads load their own.
 */
import { InvalidInputError } from '../../errors';
import { loadCifar } from './cifar';
import { channelStatistics, limitSplit, exampleSize, type Dataset } from './dataset';
import { loadMnistIdx } from './idx';
import { loadBundledMnist } from './mnist-bundled';
import { validateDataSpec, type DataSpec } from './spec';
import { loadSynthetic } from './synthetic';

export type { DataSpec, DataKind, MnistBundledSpec, MnistIdxSpec, CifarSpec, SyntheticSpec } from './spec';
export { validateDataSpec, DATA_KINDS } from './spec';
export type { Dataset, Split } from './dataset';
export { DataFileError, exampleSize } from './dataset';
export type { Batch } from './batches';
export { makeBatch, batchTensors, sampleIndices, BatchSampler, chunks, AUGMENT_PADDING } from './batches';
export { parseIdx } from './idx';
export { bundledTestCount } from './mnist-bundled';

function loadRaw(spec: DataSpec): Omit<Dataset, 'normalization' | 'augment'> {
  switch (spec.kind) {
    case 'mnist':
      return loadBundledMnist();
    case 'mnist-idx':
      return loadMnistIdx(spec.dir);
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

/** Forgets cached data sets (tests, memory). */
export function clearDatasetCache(): void {
  cache.clear();
}
