import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../../../src/engine/random';
import { assertSameAsCpu, randomHost, wasmWithFixes } from './helpers';

before(wasmWithFixes);

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
// Numeric pads only with square filters: tfjs 4.22 computes the output width of a numeric pad
// from the filter HEIGHT (on every backend), and wasm's Conv2D then writes out of bounds.
const cases: { stride: number; pad: Pad; filter: number[] }[] = [
  { stride: 1, pad: 'same', filter: [3, 3, 3, 5] },
  { stride: 1, pad: 'valid', filter: [3, 2, 3, 5] },
  { stride: 1, pad: 'same', filter: [2, 3, 3, 4] },
  { stride: 2, pad: 'same', filter: [3, 3, 3, 5] },
  { stride: 2, pad: 'valid', filter: [3, 2, 3, 5] },
  { stride: 1, pad: 1, filter: [3, 3, 3, 5] },
  { stride: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], filter: [3, 2, 3, 4] },
  { stride: 1, pad: [[0, 0], [3, 0], [0, 0], [0, 0]], filter: [2, 2, 3, 2] }, // pad > filter - 1: col2im path
  { stride: 1, pad: 'valid', filter: [1, 1, 4, 6] },
];

test('Conv2DBackpropFilter (missing on stock wasm) equals the cpu backend', () => {
  const random = new Random('conv-dw');
  for (const { stride, pad, filter } of cases) {
    const x = randomHost(random, [2, 9, 8, filter[2]]);
    assertSameAsCpu(`dW stride ${stride} pad ${JSON.stringify(pad)} filter ${filter}`,
      (xs, w) => tf.grad((v) => tf.sum(tf.square(tf.conv2d(xs as tf.Tensor4D, v as tf.Tensor4D, stride, pad))))(w),
      [x, randomHost(random, filter)], 1e-4);
  }
});

test('Conv2DBackpropInput equals the cpu backend', () => {
  const random = new Random('conv-dx');
  for (const { stride, pad, filter } of cases) {
    const x = randomHost(random, [2, 9, 8, filter[2]]);
    assertSameAsCpu(`dX stride ${stride} pad ${JSON.stringify(pad)} filter ${filter}`,
      (xs, w) => tf.grad((v) => tf.sum(tf.square(tf.conv2d(v as tf.Tensor4D, w as tf.Tensor4D, stride, pad))))(xs),
      [x, randomHost(random, filter)], 1e-4);
  }
});

test('a 1x1 filter gradient matches a hand computation', () => {
  // y = w * x per pixel, loss = sum(y): dL/dw = sum(x) = 10, dL/dx = w = 3 everywhere.
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const w = tf.tensor4d([3], [1, 1, 1, 1]);
  assert.deepEqual(Array.from(tf.grad((v) => tf.sum(tf.conv2d(x, v as tf.Tensor4D, 1, 'valid')))(w).dataSync()), [10]);
  assert.deepEqual(Array.from(tf.grad((v) => tf.sum(tf.conv2d(v as tf.Tensor4D, w, 1, 'valid')))(x).dataSync()), [3, 3, 3, 3]);
});

test('the gradient of a small conv net (BatchNorm, max/avg pool, relu, softmax CE, flat-vector slices) runs on wasm and equals cpu', () => {
  const random = new Random('conv-net');
  const shapes = [[3, 3, 3, 4], [4], [4], [3, 3, 4, 4], [2 * 2 * 4, 5], [5]];
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const dimension = sizes.reduce((a, b) => a + b, 0);
  const labels = randomHost(random, [4, 5]);
  assertSameAsCpu('conv net gradient', (x, theta, y) => {
    const target = tf.softmax(y);
    const loss = (v: tf.Tensor) => {
      let at = 0;
      const p = shapes.map((shape, i) => {
        const part = tf.reshape(tf.slice(v, at, sizes[i]), shape);
        at += sizes[i];
        return part;
      });
      let h = tf.conv2d(x as tf.Tensor4D, p[0] as tf.Tensor4D, 1, 'same');
      const m = tf.moments(h, [0, 1, 2]);
      h = tf.batchNorm(h, m.mean, m.variance, p[2] as tf.Tensor1D, p[1] as tf.Tensor1D, 1e-5) as tf.Tensor4D;
      h = tf.maxPool(tf.relu(h), 2, 2, 'valid');
      h = tf.avgPool(tf.conv2d(h, p[3] as tf.Tensor4D, 2, 'same'), 1, 1, 'valid') as tf.Tensor4D;
      const logits = tf.add(tf.matMul(tf.reshape(h, [4, -1]), p[4] as tf.Tensor2D), p[5]);
      return tf.losses.softmaxCrossEntropy(target, logits);
    };
    return tf.grad(loss)(theta);
  }, [randomHost(random, [4, 8, 8, 3]), randomHost(random, [dimension]), labels], 1e-4);
});
