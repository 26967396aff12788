import assert from 'node:assert/strict';
import { identityFix, sumFix } from '../../src/engine/native/wasm-copies';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../../src/engine/native';
import { Random } from '../../src/engine/random';
import { assertNativeSame, randomHost, setUp } from './helpers';

let blas: NativeBlas | string = 'not set up';
before(async () => {
  blas = await setUp();
});

function skipWithout(t: { skip(reason: string): void }): NativeBlas | null {
  if (typeof blas === 'string') {
    t.skip(`native BLAS binding unavailable: ${blas}`);
    return null;
  }
  return blas;
}

test('BatchMatMul: every transpose, batched, broadcast and empty shapes equal cpu and wasm', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-matmul');
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[4, 7, 5], [4, 3, 7], true, true],
    [[4, 5, 7], [7, 3], false, false], // batched A, shared B: one tall product
    [[4, 7, 5], [7, 3], true, false],
    [[5, 7], [4, 7, 3], false, false], // shared A (the shared data batch of all pivots)
    [[7, 5], [4, 7, 3], true, false],
    [[2, 3, 5, 7], [2, 3, 3, 7], false, true],
    [[256, 78], [78, 33], false, false],
    [[5, 0], [0, 3], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    assertNativeSame(native, `matMul ${sa} x ${sb} tA=${ta} tB=${tb}`, (a, b) => tf.matMul(a, b, ta, tb),
      [randomHost(random, sa), randomHost(random, sb)], 1e-5);
  }
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
// Square filters with numeric pads only (tfjs 4.22 bug, see docs/backend.md).
const convCases: { stride: number | [number, number]; pad: Pad; filter: number[]; dilation?: number }[] = [
  { stride: 1, pad: 'same', filter: [3, 3, 3, 5] },
  { stride: 1, pad: 'valid', filter: [3, 2, 3, 5] },
  { stride: 2, pad: 'same', filter: [3, 3, 3, 5] },
  { stride: [2, 1], pad: 'valid', filter: [2, 3, 3, 4] },
  { stride: 1, pad: 1, filter: [3, 3, 2, 4] },
  { stride: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], filter: [3, 2, 3, 4] },
  { stride: 1, pad: [[0, 0], [3, 0], [0, 0], [0, 0]], filter: [2, 2, 3, 2] },
  { stride: 1, pad: 'valid', filter: [1, 1, 4, 6] }, // pointwise: x is its own patch matrix
  { stride: 1, pad: 'same', filter: [3, 3, 1, 16] },
];

test('Conv2D (im2col + sgemm) equals cpu and wasm, dilation included', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-conv');
  for (const { stride, pad, filter } of convCases) {
    assertNativeSame(native, `conv stride ${stride} pad ${JSON.stringify(pad)} filter ${filter}`,
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
      [randomHost(random, [2, 9, 8, filter[2]]), randomHost(random, filter)], 1e-5);
  }
  assertNativeSame(native, 'conv dilation 2', (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    [randomHost(random, [2, 9, 8, 3]), randomHost(random, [3, 3, 3, 4])], 1e-5);
});

test('Conv2D filter and input gradients equal cpu and wasm', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-conv-grad');
  for (const { stride, pad, filter } of convCases) {
    const x = randomHost(random, [2, 9, 8, filter[2]]);
    const w = randomHost(random, filter);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)));
    assertNativeSame(native, `dW stride ${stride} pad ${JSON.stringify(pad)} filter ${filter}`,
      (xs, ws) => tf.grad((v) => loss(xs, v))(ws), [x, w], 1e-4);
    assertNativeSame(native, `dX stride ${stride} pad ${JSON.stringify(pad)} filter ${filter}`,
      (xs, ws) => tf.grad((v) => loss(v, ws))(xs), [x, w], 1e-4);
  }
});

test('the wasm extras (SplitV, MaxPoolGrad) equal cpu', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-extras');
  assertNativeSame(native, 'split gradient', (x) => tf.grad((v) => {
    const [a, b, c] = tf.split(v, [5, 11, 4], 1);
    return tf.add(tf.add(tf.sum(tf.square(a)), tf.sum(tf.mul(b, 3))), tf.sum(tf.exp(c)));
  })(x), [randomHost(random, [3, 20])]);
  for (const [size, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    assertNativeSame(native, `maxPool grad ${size}/${stride}/${pad}`,
      (x) => tf.grad((v) => tf.sum(tf.square(tf.maxPool(v as tf.Tensor4D, size, stride, pad))))(x),
      [randomHost(random, [2, 7, 6, 5])]);
  }
});

test('the wasm Sum over leading axes and the sharing Identity equal cpu', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-copies');
  const x = randomHost(random, [4, 3, 5]);
  assertNativeSame(native, 'sum axis 0', (v) => tf.sum(v, 0), [x]);
  assertNativeSame(native, 'sum axes 0,1 keepDims', (v) => tf.sum(v, [1, 0], true), [x]);
  assertNativeSame(native, 'sum axis 1 (stock kernel)', (v) => tf.sum(v, 1), [x]);
  assertNativeSame(native, 'sum of all (stock kernel)', (v) => tf.sum(v), [x]);
  assertNativeSame(native, 'bias gradient', (v) => tf.grad((b) => tf.sum(tf.square(tf.add(tf.ones([6, 5]), b))))(v), [randomHost(random, [5])]);
  tf.setBackend('wasm');
  assert.equal(tf.getKernel('Sum', 'wasm')?.kernelFunc, sumFix.kernelFunc, 'the fixed Sum is the registered one');
  assert.equal(tf.getKernel('Identity', 'wasm')?.kernelFunc, identityFix.kernelFunc, 'the sharing Identity is the registered one');
  const ints = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
  assert.deepEqual(Array.from(tf.sum(ints, 0).dataSync()), [4, 6], 'int32 sums go to the stock kernel');
  const original = tf.tensor1d([1, 2, 3]);
  const copy = tf.clone(original);
  original.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3], 'a clone outlives its original');
  copy.dispose();
  ints.dispose();
});

test('a flat-vector conv net gradient (conv, relu, pool, dense, softmax) equals cpu and wasm', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-net');
  const x = randomHost(random, [4, 8, 8, 2]);
  const labels = randomHost(random, [4, 3]);
  assertNativeSame(native, 'net gradient', (xs, ys, theta) => tf.grad((v) => {
    const [w1, b1, w2, b2] = tf.split(v, [36, 4, 64, 3], 0);
    let h = tf.relu(tf.add(tf.conv2d(xs as tf.Tensor4D, tf.reshape(w1, [3, 3, 2, 2]) as tf.Tensor4D, 1, 'same'), b1.slice(0, 2)));
    h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(h, [4, 32]) as tf.Tensor2D, tf.reshape(w2, [32, 2]).pad([[0, 0], [0, 1]]) as tf.Tensor2D), b2);
    return tf.losses.softmaxCrossEntropy(tf.softmax(ys), logits);
  })(theta), [x, labels, randomHost(random, [107])], 1e-4);
});
