import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { wasmKernelFixesRegistered } from '../../../../src/engine/tfjs/fixes';
import { Random } from '../../../../src/engine/random';
import { assertSameAsCpu, randomHost, wasmWithFixes } from './helpers';

before(wasmWithFixes);

test('the BatchMatMul fix is registered on wasm', () => {
  assert.ok(wasmKernelFixesRegistered('BatchMatMul'));
});

test('transposed products match a hand computation', () => {
  // a = [[1, 2], [3, 4]], b = [[5, 6], [7, 8]]: a^T b = [[26, 30], [38, 44]], a b^T = [[17, 23], [39, 53]].
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor2d([[5, 6], [7, 8]]);
  assert.deepEqual(Array.from(tf.matMul(a, b, true, false).dataSync()), [26, 30, 38, 44]);
  assert.deepEqual(Array.from(tf.matMul(a, b, false, true).dataSync()), [17, 23, 39, 53]);
  assert.deepEqual(Array.from(tf.matMul(a, b, true, true).dataSync()), [23, 31, 34, 46]);
});

test('every transpose, batch and broadcast case equals the cpu backend', () => {
  const random = new Random('batch-mat-mul');
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[4, 7, 5], [4, 3, 7], true, true],
    [[4, 5, 7], [7, 3], false, false], // batched A, shared B: one [20, 7] product
    [[4, 7, 5], [7, 3], true, false],
    [[7, 5], [2, 3, 7, 3], true, false], // shared A, batched B (rank 4)
    [[1, 5, 7], [6, 7, 3], false, false],
    [[33, 65], [65, 17], false, false], // sizes off XNNPACK's tile multiples
    [[1, 1], [1, 1], true, true],
  ];
  for (const [aShape, bShape, ta, tb] of cases) {
    assertSameAsCpu(`matMul ${aShape} x ${bShape} ta=${ta} tb=${tb}`,
      (a, b) => tf.matMul(a, b, ta, tb), [randomHost(random, aShape), randomHost(random, bShape)]);
  }
});

test('an inner dimension of zero gives zeros and an empty batch gives an empty result', () => {
  assert.deepEqual(Array.from(tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])).dataSync()), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(tf.matMul(tf.zeros([0, 2, 3]), tf.zeros([0, 3, 4])).shape, [0, 2, 4]);
});

test('gradients of a two-layer MLP equal the cpu backend', () => {
  const random = new Random('mlp-grad');
  assertSameAsCpu('mlp gradient', (x, w1, w2) => {
    const loss = (v: tf.Tensor) => {
      const h = tf.relu(tf.matMul(x, tf.reshape(tf.slice(v, 0, 12 * 9), [12, 9])));
      return tf.sum(tf.square(tf.matMul(h, w2)));
    };
    return tf.grad(loss)(tf.concat([tf.reshape(w1, [-1])]));
  }, [randomHost(random, [6, 12]), randomHost(random, [12 * 9]), randomHost(random, [9, 4])], 1e-4);
});
