import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernelFixes, unregisterWasmKernelFixes, wasmKernelFixesRegistered } from '../../../../src/engine/tfjs/fixes';
import { Random } from '../../../../src/engine/random';
import { assertSameAsCpu, randomHost, wasmWithFixes } from './helpers';

before(wasmWithFixes);

test('Tile matches hand-written results and the cpu backend, float32 and int32', () => {
  assert.deepEqual(Array.from(tf.tile(tf.tensor2d([[1, 2]]), [2, 3]).dataSync()), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
  assert.deepEqual(Array.from(tf.tile(tf.tensor1d([7, 8], 'int32'), [2]).dataSync()), [7, 8, 7, 8]);
  assert.deepEqual(Array.from(tf.tile(tf.tensor1d([1, 0], 'bool'), [3]).dataSync()), [1, 0, 1, 0, 1, 0]);
  const random = new Random('tile');
  for (const [shape, reps] of [[[3, 4, 5], [2, 1, 3]], [[5], [3]], [[2, 1, 3], [1, 4, 1]], [[1, 1], [5, 7]], [[3, 2], [1, 1]]]) {
    assertSameAsCpu(`tile ${shape} by ${reps}`, (x) => tf.tile(x, reps), [randomHost(random, shape)]);
  }
});

test('Slice copies only the slice, for contiguous and strided cases', () => {
  assert.deepEqual(Array.from(tf.slice(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, 2]).dataSync()), [2, 3, 5, 6]);
  assert.deepEqual(Array.from(tf.slice(tf.tensor1d([1, 2, 3, 4], 'int32'), 1, 2).dataSync()), [2, 3]);
  const random = new Random('slice');
  const cases: [number[], number[], number[]][] = [
    [[100], [17], [50]], [[4, 6], [1, 0], [2, 6]], [[4, 6], [0, 2], [4, 3]],
    [[3, 4, 5], [1, 1, 1], [2, 2, 3]], [[2, 3, 4, 5, 2], [1, 0, 1, 2, 0], [1, 3, 2, 2, 2]], [[5, 5], [2, 2], [0, 3]],
  ];
  for (const [shape, begin, size] of cases) {
    assertSameAsCpu(`slice ${shape} at ${begin} size ${size}`, (x) => tf.slice(x, begin, size), [randomHost(random, shape)]);
  }
});

test('UnsortedSegmentSum (gradient of gather, missing on stock wasm) sums rows per segment', () => {
  // gather rows [0, 2, 2, 1] of a 4x2 matrix, loss = sum: each row's gradient counts its uses.
  const g = tf.grad((x) => tf.sum(tf.gather(x, tf.tensor1d([0, 2, 2, 1], 'int32'))))(tf.ones([4, 2]));
  assert.deepEqual(Array.from(g.dataSync()), [1, 1, 1, 1, 2, 2, 0, 0]);
  // Ids out of range are dropped, as in TensorFlow.
  const s = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 5, 1, 0], 'int32'), 2);
  assert.deepEqual(Array.from(s.dataSync()), [5, 3]);
  const random = new Random('segments');
  assertSameAsCpu('gather gradient', (x) => tf.grad((v) => tf.sum(tf.square(tf.gather(v, tf.tensor1d([3, 0, 3, 1, 4], 'int32')))))(x),
    [randomHost(random, [6, 3, 2])]);
});

test('Einsum and depthwise-conv gradients (missing on stock wasm) run through the cpu fallback', () => {
  assert.deepEqual(Array.from(tf.einsum('ij,jk->ik', tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()), [11]);
  const random = new Random('depthwise');
  assertSameAsCpu('depthwise dX', (x, w) => tf.grad((v) => tf.sum(tf.square(tf.depthwiseConv2d(v as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))))(x),
    [randomHost(random, [1, 5, 5, 2]), randomHost(random, [3, 3, 2, 1])], 1e-4);
  assertSameAsCpu('depthwise dW', (x, w) => tf.grad((v) => tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, v as tf.Tensor4D, 1, 'same'))))(w),
    [randomHost(random, [1, 5, 5, 2]), randomHost(random, [3, 3, 2, 1])], 1e-4);
});

test('unregistering restores the stock kernels and registering again restores the fixes', () => {
  const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
  const dW = () => tf.grad((w) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1])).dataSync();
  unregisterWasmKernelFixes();
  try {
    assert.equal(wasmKernelFixesRegistered(), false);
    assert.throws(dW, /Conv2DBackpropFilter' not registered/);
    // Stock kernels still compute correctly where they exist.
    assert.deepEqual(Array.from(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]), true).dataSync()), [26, 30, 38, 44]);
  } finally {
    registerWasmKernelFixes();
  }
  assert.ok(wasmKernelFixesRegistered());
  assert.deepEqual(Array.from(dW()), [9, 9, 9, 9]);
});
