/**
 * Loss and gradient of several points at once on one shared batch (models with `applyStacked`).
 * Parameters are stacked per tensor, [P, ...shape], so that the products of a layer cover every
 * point; the gradient of the sum of the points' losses is each point's own gradient, read back
 * per tensor and cut into one flat vector per point. One dispatch for all points, one readback
 * (losses, sums and the gradient tensors together).
 */
import * as tf from '@tensorflow/tfjs';
import type { NeuralModel } from './model';
import { stackSlices, unstackInto, unstacksInPlace } from './host-transfer';
import { stackedCrossEntropy } from './ops';
import { readNow, type Reads } from './readback';

export interface StackedResult {
  losses: number[];
  gradients: Float32Array[];
  /**
   * Per point, the sum of its coordinates and of its gradient, computed where the data lies: a
   * sum is finite only if every term is, so a finite sum spares scanning D values in JavaScript
   * (that scan was 15% of a stacked MLP gradient); a non-finite one (or an overflow) calls for it.
   */
  pointSums: number[];
  gradientSums: number[];
}

/** Whether the model can evaluate stacked points (BatchNorm, if any, with each point's batch statistics). */
export function canStack(model: NeuralModel): boolean {
  return model.applyStacked !== undefined;
}

/**
 * Whether NeuralEnergy evaluates the model's points stacked on the active backend: always on
 * webgpu (a GPU wants all pivots of a step in one dispatch); on the cpu family only where it was
 * measured to pay (docs/gpu.md, 2026-12-03).
 */
export function stacksHere(model: NeuralModel): boolean {
  if (!canStack(model)) return false;
  if (tf.getBackend() === 'webgpu') return true;
  return STACKS_ON_CPU[model.spec.kind];
}

// Stacked CNN and ResNet lose on cpu, wasm and native BLAS (0.45-0.65x per CPU second): their
// im2col slices and concatenations cost more there than the per-pivot convolutions they replace.
const STACKS_ON_CPU: Record<NeuralModel['spec']['kind'], boolean> = { mlp: true, cnn: false, resnet: false };

/**
 * Mean cross-entropy of each point on (x, labels) and its gradient (training mode), written into
 * `into` when given (one vector per point).
 */
export function stackedLossAndGradient(model: NeuralModel, points: readonly Float32Array[], x: tf.Tensor, labels: tf.Tensor1D, into?: Float32Array[]): StackedResult {
  return readNow(stackedSteps(model, points, x, labels, into));
}

/** stackedLossAndGradient as read steps (see ./readback): one readback. */
export function* stackedSteps(model: NeuralModel, points: readonly Float32Array[], x: tf.Tensor, labels: tf.Tensor1D, into?: Float32Array[]): Reads<StackedResult> {
  if (!canStack(model)) throw new Error(`${model.name} cannot evaluate stacked points`);
  const count = points.length;
  // Running statistics (BatchNorm buffers) take no part in a training-mode gradient: their
  // gradient is zero, and they are stacked only for the points' coordinate sums.
  const entries = model.layout.entries.filter((e) => e.trainable);
  const buffers = model.layout.entries.filter((e) => !e.trainable);
  let kept: { grads: tf.Tensor[]; summary: tf.Tensor } | undefined;
  let losses: tf.Tensor1D | undefined;
  try {
    // Built inside and handed out by closure: tidy walks a returned value element by element.
    tf.tidy(() => {
      const stacked = entries.map((e) => stackSlices(points, e.offset, e.size, e.shape));
      const f = (...values: tf.Tensor[]): tf.Scalar => {
        const named = new Map(entries.map((e, i) => [e.name, values[i]] as const));
        // Kept: the gradient's own scope would dispose it before the summary reads it.
        losses = tf.keep(stackedCrossEntropy(model.applyStacked!(named, x, count), labels));
        return tf.sum(losses);
      };
      const { grads } = tf.valueAndGrads(f)(stacked);
      const perPoint = (ts: tf.Tensor[]) => tf.addN(ts.map((t) => tf.sum(tf.reshape(t, [count, -1]), 1)));
      const all = [...stacked, ...buffers.map((e) => stackSlices(points, e.offset, e.size, e.shape))];
      kept = { grads: grads.map((g) => tf.keep(g)), summary: tf.keep(tf.stack([losses!, perPoint(all), perPoint(grads)])) };
    });
    const { grads, summary } = kept!;
    // Without `into`: one buffer for all points' gradients, handed out as views (one allocation,
    // not P; NeuralEnergy passes memory it recycles instead).
    const dimension = model.layout.dimension;
    const buffer = into ? null : new Float32Array(count * dimension);
    const gradients = into ?? points.map((_, p) => buffer!.subarray(p * dimension, (p + 1) * dimension));
    const inPlace = unstacksInPlace();
    const values = yield inPlace ? [summary] : [summary, ...grads];
    entries.forEach((e, i) => unstackInto(inPlace ? grads[i] : (values[i + 1] as Float32Array), gradients, e.offset, e.size));
    for (const e of buffers) for (const g of gradients) g.fill(0, e.offset, e.offset + e.size);
    const row = (r: number) => Array.from(values[0].subarray(r * count, (r + 1) * count));
    return { losses: row(0), gradients, pointSums: row(1), gradientSums: row(2) };
  } finally {
    losses?.dispose();
    if (kept) tf.dispose([...kept.grads, kept.summary]);
  }
}

/**
 * How many points one stacked evaluation takes at most, on `batch` examples, on the active
 * backend: im2col patches are k*k times a convolution's input and are held for the backward
 * pass, so groups are bounded by memory (and on webgpu each tensor by the device's largest
 * storage binding, which a shader cannot exceed).
 */
export function stackedGroupLimit(model: NeuralModel, batch: number): number {
  const floats = model.stackedFloats?.(batch);
  if (!floats) return Number.POSITIVE_INFINITY;
  const gpu = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device: { limits: Record<string, number> } }).device.limits : null;
  // Floats of patches: 4 GiB on a GPU; 128 MiB on the host (the wasm heap ran out at 400 MB of a
  // ResNet-20's patches, which the cpu family does not stack anyway: see stacksHere).
  const held = gpu ? 1 << 30 : 1 << 25;
  const largest = gpu ? Math.min(gpu.maxStorageBufferBindingSize, gpu.maxBufferSize) / 4 : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(Math.floor(held / floats.held), Math.floor(largest / floats.largest)));
}
