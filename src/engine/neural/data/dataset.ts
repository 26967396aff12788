/**
 * In-memory data sets. Images are kept raw (bytes for MNIST/CIFAR files: 4x less memory than
 * float32, CIFAR-10 is 184 MB instead of 737 MB) in NHWC order and are scaled, normalised and
 * augmented when a batch is built (see batches.ts).
 */

/** Thrown when a data file is missing or malformed: names the file and what was expected. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DataFileError';
  }
}

export interface Split {
  /** count x height x width x channels values, NHWC. */
  readonly images: Uint8Array | Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface Dataset {
  readonly name: string;
  /** [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  readonly train: Split;
  readonly test: Split;
  /** Raw value times `scale` gives pixel units (1/255 for bytes). */
  readonly scale: number;
  /** Per-channel mean and std in pixel units, or null for none. */
  readonly normalization: { readonly mean: number[]; readonly std: number[] } | null;
  /** Whether training batches use the paper's augmentation. */
  readonly augment: boolean;
}

export function exampleSize(dataset: Pick<Dataset, 'shape'>): number {
  return dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
}

/** Per-channel mean and std (population) of a split, in pixel units. */
export function channelStatistics(split: Split, shape: readonly [number, number, number], scale: number): { mean: number[]; std: number[] } {
  const channels = shape[2];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const images = split.images;
  for (let i = 0; i < images.length; i++) {
    const v = images[i] * scale;
    sum[i % channels] += v;
    sumSq[i % channels] += v * v;
  }
  const n = images.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / n - mean[c] * mean[c], 1e-12)));
  return { mean, std };
}

/** The first `limit` examples of a split. */
export function limitSplit(split: Split, limit: number | undefined, size: number): Split {
  if (limit === undefined || limit >= split.count) return split;
  return { images: split.images.subarray(0, limit * size), labels: split.labels.subarray(0, limit), count: limit };
}
