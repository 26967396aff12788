/**
 * Minimal flat-vector losses for the bench (the real models live in src/engine/neural/models): each
 * takes a parameter vector, slices it into layers and returns the mean softmax cross-entropy,
 * so tf.grad gives the pivot gradient exactly as a NEB step needs it.
 */
import * as tf from '@tensorflow/tfjs';

export interface FlatModel {
  readonly name: string;
  readonly dimension: number;
  /** Multiply-adds x 2 of one gradient evaluation (forward + backward, no input gradient). */
  readonly flopsPerGradient: number;
  /** Loss of one pivot (theta: [D]). */
  loss(theta: tf.Tensor1D): tf.Scalar;
  /** Sum of the losses of P pivots at once (thetas: [P, D]) with rank-3 products, if supported. */
  batchedLoss?(thetas: tf.Tensor2D): tf.Scalar;
}

/**
 * Cuts a flat vector (last axis) into consecutive segments, reshaped. One tf.split, not one
 * tf.slice per segment: the gradient of split is ONE concat, while every slice's gradient is a
 * zero-padded copy of the whole vector, summed into the others (P*D floats written and added
 * per segment, which cost more than the matrix products of an MLP with native BLAS).
 */
function slicer(theta: tf.Tensor, lead: number[], shapes: number[][]) {
  const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const rest = theta.shape[theta.shape.length - 1] - total;
  const parts = tf.split(theta, rest > 0 ? [...sizes, rest] : sizes, lead.length);
  let next = 0;
  return (shape: number[]): tf.Tensor => tf.reshape(parts[next++], [...lead, ...shape]);
}

export function mlp(sizes: number[], x: tf.Tensor2D, labels: tf.Tensor2D): FlatModel {
  const batch = x.shape[0];
  let dimension = 0;
  let forward = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    dimension += sizes[i] * sizes[i + 1] + sizes[i + 1];
    forward += 2 * batch * sizes[i] * sizes[i + 1];
  }
  const firstLayerInputGradient = 2 * batch * sizes[0] * sizes[1];
  const layers = sizes.length - 1;
  const shapes = sizes.slice(1).flatMap((out, i) => [[sizes[i], out], [out]]);
  return {
    name: `MLP ${sizes.join('-')}`,
    dimension,
    flopsPerGradient: 3 * forward - firstLayerInputGradient,
    loss(theta) {
      const take = slicer(theta, [], shapes);
      let h: tf.Tensor = x;
      for (let i = 0; i < layers; i++) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, take([sizes[i], sizes[i + 1]]) as tf.Tensor2D), take([sizes[i + 1]]));
        if (i + 1 < layers) h = tf.relu(h);
      }
      return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
    },
    batchedLoss(thetas) {
      const pivots = thetas.shape[0];
      const take = slicer(thetas, [pivots], shapes);
      let h: tf.Tensor = x;
      for (let i = 0; i < layers; i++) {
        const w = take([sizes[i], sizes[i + 1]]) as tf.Tensor3D;
        const b = tf.reshape(take([sizes[i + 1]]), [pivots, 1, sizes[i + 1]]);
        h = tf.add(tf.matMul(h as tf.Tensor3D, w), b);
        if (i + 1 < layers) h = tf.relu(h);
      }
      const logits = tf.reshape(h, [pivots * batch, sizes[layers]]);
      const tiled = tf.reshape(tf.tile(tf.expandDims(labels, 0), [pivots, 1, 1]), [pivots * batch, sizes[layers]]);
      // Mean over each pivot's batch, summed over pivots: gradients stay per pivot.
      return tf.mul(tf.losses.softmaxCrossEntropy(tiled, logits), pivots) as tf.Scalar;
    },
  };
}

/** conv16-3x3 'same', relu, maxpool 2, conv32-3x3 'same', relu, maxpool 2, fc10 on NHWC input. */
export function smallCnn(x: tf.Tensor4D, labels: tf.Tensor2D): FlatModel {
  const [batch, height, width, channels] = x.shape;
  const h2 = Math.floor(height / 2);
  const w2 = Math.floor(width / 2);
  const h4 = Math.floor(h2 / 2);
  const w4 = Math.floor(w2 / 2);
  const conv1 = 2 * batch * height * width * 9 * channels * 16;
  const conv2 = 2 * batch * h2 * w2 * 9 * 16 * 32;
  const fc = 2 * batch * h4 * w4 * 32 * 10;
  const dimension = 9 * channels * 16 + 16 + 9 * 16 * 32 + 32 + h4 * w4 * 32 * 10 + 10;
  const shapes = [[3, 3, channels, 16], [16], [3, 3, 16, 32], [32], [h4 * w4 * 32, 10], [10]];
  return {
    name: `CNN conv16-pool-conv32-pool-fc10 on ${height}x${width}x${channels}`,
    dimension,
    flopsPerGradient: 3 * (conv1 + conv2 + fc) - conv1,
    loss(theta) {
      const take = slicer(theta, [], shapes);
      let h = tf.relu(tf.add(tf.conv2d(x, take([3, 3, channels, 16]) as tf.Tensor4D, 1, 'same'), take([16]))) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(tf.add(tf.conv2d(h, take([3, 3, 16, 32]) as tf.Tensor4D, 1, 'same'), take([32]))) as tf.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      const flat = tf.reshape(h, [batch, h4 * w4 * 32]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(flat, take([h4 * w4 * 32, 10]) as tf.Tensor2D), take([10]));
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    },
  };
}
