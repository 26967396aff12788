// The per-channel normalisation the engine applies to a landscape's data set (mean and std in
// pixel units, of the training split as limited by trainSize), so that outside tools (the Python
// client's `to_torch`) feed a model exactly the inputs the server evaluated it on.
import { loadDataset } from '../../engine/neural/data';
import { engineDataSpec } from './specs';
import type { DatasetSpec } from '../../store/specs';

export interface Normalization {
  mean: number[];
  std: number[];
}

/** Null when the data set is not normalised (synthetic data); loads (and caches) the data set. */
export function datasetNormalization(dataset: DatasetSpec): Normalization | null {
  const { normalization } = loadDataset(engineDataSpec(dataset));
  return normalization ? { mean: [...normalization.mean], std: [...normalization.std] } : null;
}
