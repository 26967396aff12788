/**
 * Loss and gradient of several points at once on one shared batch (models with `applyStacked`).
 * Parameters are stacked per tensor, [P, ...shape], so that the products of a layer cover every
 * point; the gradient of the sum of the points' losses is each point's own gradient, read back
 * per tensor and cut into one flat vector per point.
 */
import * as tf from '@tensorflow/tfjs';
import type { NeuralModel } from './model';
import { stackSlices, unstackInto } from './host-transfer';
import { stackedCrossEntropy } from './ops';

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

/** Whether the model evaluates stacked points (no batch statistics). */
export function canStack(model: NeuralModel): boolean {
  return model.applyStacked !== undefined && model.layout.entries.every((e) => e.trainable);
}

/**
 * Mean cross-entropy of each point on (x, labels) and its gradient (training mode), written into
 * `into` when given (one vector per point).
 */
export function stackedLossAndGradient(model: NeuralModel, points: readonly Float32Array[], x: tf.Tensor, labels: tf.Tensor1D, into?: Float32Array[]): StackedResult {
  if (!canStack(model)) throw new Error(`${model.name} cannot evaluate stacked points`);
  const count = points.length;
  const entries = model.layout.entries;
  let result: StackedResult | undefined;
  let losses: tf.Tensor1D | undefined;
  try {
    // Built inside and handed out by closure: tidy walks a returned value element by element.
    tf.tidy(() => {
      const stacked = entries.map((e) => stackSlices(points, e.offset, e.size, e.shape));
      const f = (...values: tf.Tensor[]): tf.Scalar => {
        const named = new Map(entries.map((e, i) => [e.name, values[i]] as const));
        losses = tf.keep(stackedCrossEntropy(model.applyStacked!(named, x, count), labels));
        return tf.sum(losses);
      };
      const { grads } = tf.valueAndGrads(f)(stacked);
      // Without `into`: one buffer for all points' gradients, handed out as views (one allocation,
      // not P; NeuralEnergy passes memory it recycles instead).
      const dimension = model.layout.dimension;
      const buffer = into ? null : new Float32Array(count * dimension);
      const gradients = into ?? points.map((_, p) => buffer!.subarray(p * dimension, (p + 1) * dimension));
      entries.forEach((e, i) => unstackInto(grads[i], gradients, e.offset, e.size));
      const perPoint = (ts: tf.Tensor[]) => tf.addN(ts.map((t) => tf.sum(tf.reshape(t, [count, -1]), 1)));
      const summary = tf.stack([losses!, perPoint(stacked), perPoint(grads)]).dataSync();
      const row = (r: number) => Array.from(summary.subarray(r * count, (r + 1) * count));
      result = { losses: row(0), gradients, pointSums: row(1), gradientSums: row(2) };
    });
  } finally {
    losses?.dispose();
  }
  return result!;
}
