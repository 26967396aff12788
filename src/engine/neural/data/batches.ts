/**
 * Seeded batches: index sampling, conversion of raw examples to normalised float32 NHWC, and the
 * paper's CIFAR augmentation (zero padding of 4 pixels, random 32x32 crop, horizontal flip with
 * probability 1/2, as torchvision's RandomCrop(32, padding=4) + RandomHorizontalFlip).
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../random';
import { exampleSize, type Dataset } from './dataset';

export const AUGMENT_PADDING = 4;

export interface Batch {
  /** count x H x W x C normalised values. */
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** k distinct indices of 0..n-1 (partial Fisher-Yates), in draw order. */
export function sampleIndices(random: Random, n: number, k: number): Int32Array {
  if (k > n) throw new Error(`cannot draw ${k} distinct examples from ${n}`);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + random.int(n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k);
}

/** Epochs of seeded permutations, cut into full batches (the incomplete last one is dropped). */
export class BatchSampler {
  private order: Int32Array = new Int32Array(0);
  private position = 0;

  constructor(
    private readonly count: number,
    private readonly batchSize: number,
    private readonly random: Random,
  ) {
    if (batchSize > count) throw new Error(`batch size ${batchSize} exceeds the ${count} training examples`);
  }

  next(): Int32Array {
    if (this.position + this.batchSize > this.order.length) {
      this.order = this.random.permutation(this.count);
      this.position = 0;
    }
    const batch = this.order.subarray(this.position, this.position + this.batchSize);
    this.position += this.batchSize;
    return batch;
  }
}

/**
 * The examples at `indices`, scaled and normalised; with `augment` (a Random), each example is
 * padded, cropped and flipped. Padding is black in pixel units (normalised like the image), as
 * torchvision pads before normalising.
 */
export function makeBatch(dataset: Dataset, part: 'train' | 'test', indices: ArrayLike<number>, augment?: Random, into?: Float32Array): Batch {
  const split = dataset[part];
  const [height, width, channels] = dataset.shape;
  const size = exampleSize(dataset);
  const count = indices.length;
  // `into` (a buffer the caller reuses from batch to batch) spares a fresh allocation per batch.
  const x = into?.length === count * size ? into : new Float32Array(count * size);
  const labels = new Int32Array(count);
  const mean = dataset.normalization?.mean ?? new Array<number>(channels).fill(0);
  const invStd = (dataset.normalization?.std ?? new Array<number>(channels).fill(1)).map((s) => 1 / s);
  const scale = dataset.scale;
  for (let n = 0; n < count; n++) {
    const index = indices[n];
    if (!(index >= 0 && index < split.count)) throw new Error(`example index ${index} outside the ${part} set of ${split.count}`);
    labels[n] = split.labels[index];
    const src = index * size;
    const dst = n * size;
    if (!augment) {
      // Channel by channel (strided), not `i % channels` per value: the same arithmetic, 3x faster.
      for (let c = 0; c < channels; c++) {
        const m = mean[c];
        const s = invStd[c];
        for (let i = c; i < size; i += channels) x[dst + i] = (split.images[src + i] * scale - m) * s;
      }
      continue;
    }
    const dy = augment.int(2 * AUGMENT_PADDING + 1) - AUGMENT_PADDING;
    const dx = augment.int(2 * AUGMENT_PADDING + 1) - AUGMENT_PADDING;
    const flip = augment.uniform() < 0.5;
    for (let r = 0; r < height; r++) {
      const sr = r + dy;
      for (let col = 0; col < width; col++) {
        const sc = (flip ? width - 1 - col : col) + dx;
        const inside = sr >= 0 && sr < height && sc >= 0 && sc < width;
        for (let c = 0; c < channels; c++) {
          const raw = inside ? split.images[src + (sr * width + sc) * channels + c] * scale : 0;
          x[dst + (r * width + col) * channels + c] = (raw - mean[c]) * invStd[c];
        }
      }
    }
  }
  return { x, labels, count };
}

/** Tensors of a batch: x [count, H, W, C] and int32 labels [count]. Caller disposes. */
export function batchTensors(dataset: Dataset, batch: Batch): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const [h, w, c] = dataset.shape;
  return { x: tf.tensor4d(batch.x, [batch.count, h, w, c]), labels: tf.tensor1d(batch.labels, 'int32') };
}

/** Consecutive index ranges [from, to) of at most `size`, covering 0..count-1. */
export function chunks(count: number, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let from = 0; from < count; from += size) {
    const to = Math.min(count, from + size);
    const idx = new Int32Array(to - from);
    for (let i = 0; i < idx.length; i++) idx[i] = from + i;
    out.push(idx);
  }
  return out;
}
