import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runAutoNEB } from '../../../../src/engine/autoneb/run';
import type { Energy, LossAndGradient, Vector } from '../../../../src/engine/energy';
import { loadNativeBlas, registerNativeKernels, unregisterNativeKernels } from '../../../../src/engine/tfjs/blas';
import { Random } from '../../../../src/engine/random';
import { randomHost, setUp } from './helpers';

/** A tiny conv net on a fixed batch: conv 3x3 2->4 'same', relu, dense 144->3, cross-entropy. */
function convNetEnergy(random: Random): Energy {
  const x = randomHost(random, [8, 6, 6, 2]);
  const labels = Array.from({ length: 8 }, (_, i) => i % 3);
  const sizes = [72, 4, 432, 3];
  const loss = (theta: tf.Tensor1D): tf.Scalar => {
    const [w1, b1, w2, b2] = tf.split(theta, sizes);
    const h = tf.relu(tf.add(tf.conv2d(tf.tensor4d(x.data, [8, 6, 6, 2]), tf.reshape(w1, [3, 3, 2, 4]) as tf.Tensor4D, 1, 'same'), b1));
    const logits = tf.add(tf.matMul(tf.reshape(h, [8, 144]) as tf.Tensor2D, tf.reshape(w2, [144, 3]) as tf.Tensor2D), b2);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), logits) as tf.Scalar;
  };
  const grad = tf.valueAndGrad(loss);
  return {
    dimension: 511,
    name: 'tiny conv net',
    async lossAndGradient(points: readonly Vector[]): Promise<LossAndGradient> {
      const out = points.map((p) => tf.tidy(() => {
        const { value, grad: g } = grad(tf.tensor1d(p));
        return { loss: value.dataSync()[0], gradient: Float32Array.from(g.dataSync()) };
      }));
      return { losses: out.map((o) => o.loss), gradients: out.map((o) => o.gradient) };
    },
    async loss(points: readonly Vector[]): Promise<number[]> {
      return points.map((p) => tf.tidy(() => loss(tf.tensor1d(p)).dataSync()[0]));
    },
  };
}

test('an AutoNEB run gives the same path on native BLAS and on plain wasm', async (t) => {
  await setUp();
  const blas = loadNativeBlas((id) => require(id)); // eslint-disable-line @typescript-eslint/no-require-imports
  if (typeof blas === 'string') return t.skip(`native BLAS binding unavailable: ${blas}`);
  const random = new Random('native-autoneb');
  const energy = convNetEnergy(random);
  const start = randomHost(random, [511]).data.map((v) => 0.3 * v);
  const end = randomHost(random, [511]).data.map((v) => 0.3 * v);
  unregisterNativeKernels();
  const wasm = await runAutoNEB(energy, start, end, 'tiny');
  registerNativeKernels(blas);
  let native;
  try {
    native = await runAutoNEB(energy, start, end, 'tiny');
  } finally {
    unregisterNativeKernels();
  }
  assert.equal(native.pivots.length, wasm.pivots.length);
  assert.ok(native.pivots.length > 2, 'pivots were inserted');
  let moved = 0;
  for (let i = 0; i < wasm.pivots.length; i++) {
    for (let j = 0; j < 511; j++) {
      moved = Math.max(moved, Math.abs(wasm.pivots[i][j] - start[j] - (end[j] - start[j]) * (i / (wasm.pivots.length - 1))));
      assert.ok(Math.abs(native.pivots[i][j] - wasm.pivots[i][j]) <= 1e-4 * (1 + Math.abs(wasm.pivots[i][j])),
        `pivot ${i} coordinate ${j}: ${native.pivots[i][j]} native, ${wasm.pivots[i][j]} wasm`);
    }
  }
  assert.ok(moved > 1e-3, `the band moved off the straight line (max ${moved})`);
  assert.ok(Math.abs(native.saddle.energy - wasm.saddle.energy) <= 1e-4 * Math.abs(wasm.saddle.energy), 'saddle energy');
});
