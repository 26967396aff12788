import type * as tf from '@tensorflow/tfjs';
import type { ParameterLayout } from './layout';
import type { ForwardMode, ParamTensors } from './ops';
import type { ModelSpec } from './spec';

/** An architecture: its parameter layout and its logits as a function of named parameter tensors. */
export interface NeuralModel {
  readonly spec: ModelSpec;
  /** e.g. "mlp-784-100-10", "resnet20". */
  readonly name: string;
  readonly layout: ParameterLayout;
  /** Input image shape [height, width, channels]; an MLP accepts any shape with this many values. */
  readonly inputShape: readonly [number, number, number] | null;
  readonly inputSize: number;
  readonly classes: number;
  /** Logits [N, classes] for a batch [N, H, W, C] (an MLP also takes [N, features]). */
  apply(params: ParamTensors, x: tf.Tensor, mode: ForwardMode): tf.Tensor2D;
  /**
   * Logits [P, N, classes] of P points at once for ONE shared batch, each parameter stacked as
   * [P, ...shape] (trainable entries only: BatchNorm normalises with each point's batch
   * statistics, as in training mode). A NEB step evaluates all pivots on the same batch, so a
   * layer fed by the data is one product for every pivot.
   */
  applyStacked?(params: ParamTensors, x: tf.Tensor, points: number): tf.Tensor3D;
  /**
   * Floats of the im2col patches one point's stacked evaluation holds for its backward pass on a
   * batch of `batch` examples: in all, and in the largest single tensor.
   */
  stackedFloats?(batch: number): { held: number; largest: number };
}
