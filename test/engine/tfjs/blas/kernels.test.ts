import assert from 'node:assert/strict';
import { identityFix, sumFix } from '../../../../src/engine/tfjs/fixes/wasm-copies';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../../../../src/engine/tfjs/blas';
import { Random } from '../../../../src/engine/random';
import { assertNativeSame, randomHost, runOn, setUp } from './helpers';

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

// Stride-1 convolutions run on the padded grid (src/engine/tfjs/blas/grid-conv.ts): per-tap
// products from ci = 8 on, channel-major patches below. Odd sizes, batch 1, asymmetric and
// 'valid' padding (rows and images share padding only where it is symmetric enough), dilation,
// non-square filters, both sides of the channel threshold.
const gridCases: { x: number[]; filter: number[]; pad: Pad; dilation?: number }[] = [
  { x: [3, 7, 5, 16], filter: [3, 3, 16, 5], pad: 1 },
  { x: [1, 5, 9, 8], filter: [3, 3, 8, 3], pad: 'same' },
  { x: [2, 6, 7, 9], filter: [3, 2, 9, 4], pad: 'valid' },
  { x: [2, 9, 8, 8], filter: [2, 3, 8, 6], pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
  { x: [2, 9, 8, 10], filter: [3, 3, 10, 2], pad: 'same', dilation: 2 },
  { x: [2, 6, 5, 7], filter: [3, 3, 7, 5], pad: 1 },
  { x: [1, 5, 4, 1], filter: [3, 3, 1, 16], pad: 1 },
  { x: [3, 7, 6, 1], filter: [5, 3, 1, 4], pad: 'valid' },
  { x: [2, 4, 4, 3], filter: [1, 1, 3, 5], pad: 1 }, // 1x1 with padding: not pointwise
  { x: [1, 1, 1, 9], filter: [3, 3, 9, 2], pad: 'same' },
  { x: [2, 5, 6, 8], filter: [3, 3, 8, 4], pad: 2 }, // padding wider than the filter's reach
  { x: [2, 4, 5, 2], filter: [3, 3, 2, 3], pad: 3 },
];

test('stride-1 Conv2D and both gradients on the padded grid equal cpu and wasm', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-grid-conv');
  for (const { x: xShape, filter, pad, dilation } of gridCases) {
    const label = `x ${xShape} filter ${filter} pad ${JSON.stringify(pad)} dilation ${dilation ?? 1}`;
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad, 'NHWC', dilation ?? 1);
    const x = randomHost(random, xShape);
    const w = randomHost(random, filter);
    assertNativeSame(native, `conv ${label}`, conv, [x, w], 1e-5);
    if (dilation !== undefined) continue; // tfjs has no gradients for dilated convolutions
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv(a, b)));
    assertNativeSame(native, `dW ${label}`, (xs, ws) => tf.grad((v) => loss(xs, v))(ws), [x, w], 1e-4);
    assertNativeSame(native, `dX ${label}`, (xs, ws) => tf.grad((v) => loss(v, ws))(xs), [x, w], 1e-4);
  }
});

test('MaxPoolGrad 2x2 stride 2 (SIMD and JS loops) equals cpu: ties, -Infinity, odd sizes, batch 1', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-max-pool-grad');
  // Few distinct values, so windows often hold several equal maxima (as after ReLU, where whole
  // windows are 0): the gradient must go to the first, in row-major window order.
  const tied = (shape: number[], levels: number[]) => {
    const host = randomHost(random, shape);
    for (let i = 0; i < host.data.length; i++) host.data[i] = levels[Math.floor((host.data[i] + 1) / 2 * levels.length) % levels.length];
    return host;
  };
  const shapes = [[2, 8, 6, 16], [1, 4, 4, 4], [3, 6, 10, 8], [2, 7, 6, 8], [2, 8, 9, 4], [1, 6, 6, 5], [2, 5, 5, 3]];
  for (const shape of shapes) {
    const weights = randomHost(random, [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]]);
    const grad = (x: tf.Tensor, w: tf.Tensor) => tf.grad((v) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), w)))(x);
    assertNativeSame(native, `maxPool grad ${shape} random`, grad, [randomHost(random, shape), weights]);
    assertNativeSame(native, `maxPool grad ${shape} ties`, grad, [tied(shape, [0, 0, 0, 0.5, 1]), weights]);
    assertNativeSame(native, `maxPool grad ${shape} -Infinity`, grad, [tied(shape, [-Infinity, -Infinity, -Infinity, 2]), weights]);
  }
});

test('bias Add and leading- or trailing-axes Sum (BLAS products with ones) equal cpu and wasm; other cases delegate', (t) => {
  const native = skipWithout(t);
  if (!native) return;
  const random = new Random('native-bias');
  const pairs: [number[], number[]][] = [
    [[4, 3, 5], [5]], [[5], [4, 3, 5]], [[2, 3, 4, 16], [1, 16]], [[7, 1], [1, 1, 1]], [[3, 5], [1, 5]],
    [[1, 5], [5]], [[4, 5], [4, 5]], [[4, 1], [4, 5]], [[2, 3], []],
  ];
  for (const [sa, sb] of pairs) {
    assertNativeSame(native, `add ${sa} + ${sb}`, (a, b) => tf.add(a, b), [randomHost(random, sa), randomHost(random, sb)]);
  }
  const x = randomHost(random, [3, 4, 5, 6]);
  assertNativeSame(native, 'sum axes 0,1,2', (v) => tf.sum(v, [0, 1, 2]), [x]);
  assertNativeSame(native, 'sum axes 0,1 keepDims', (v) => tf.sum(v, [1, 0], true), [x]);
  assertNativeSame(native, 'sum axis 0 of one row', (v) => tf.sum(v, 0), [randomHost(random, [1, 7])]);
  assertNativeSame(native, 'sum axis 3 (trailing)', (v) => tf.sum(v, 3), [x]);
  assertNativeSame(native, 'sum axes 2,3 keepDims (trailing)', (v) => tf.sum(v, [3, 2], true), [x]);
  assertNativeSame(native, 'sum of a column', (v) => tf.sum(v, 1), [randomHost(random, [7, 1])]);
  assertNativeSame(native, 'stacked bias gradient', (v, b) => tf.grad((c) => tf.sum(tf.square(tf.add(v, c))))(b),
    [randomHost(random, [3, 4, 9]), randomHost(random, [3, 4, 1])]);
  assertNativeSame(native, 'sum axis 2 (delegated)', (v) => tf.sum(v, 2), [x]);
  assertNativeSame(native, 'conv bias gradient', (v, b) => tf.grad((c) => tf.sum(tf.square(tf.add(v, c))))(b),
    [randomHost(random, [2, 5, 3, 8]), randomHost(random, [8])]);
  const ints = runOn('native', native, () => tf.add(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor1d([10, 20], 'int32')), []);
  assert.deepEqual(Array.from(ints.values), [11, 22, 13, 24], 'int32 additions go to wasm');
});

test('Cast to the same dtype shares the data; other casts convert', (t) => {
  if (!skipWithout(t)) return;
  tf.setBackend('wasm');
  const x = tf.tensor1d([1.5, -2.25, 3]);
  const same = tf.cast(x, 'float32');
  x.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2.25, 3], 'the cast outlives its source');
  assert.deepEqual(Array.from(tf.cast(same, 'int32').dataSync()), [1, -2, 3]);
  assert.deepEqual(Array.from(tf.cast(tf.tensor1d([1, 0, 2], 'int32'), 'float32').dataSync()), [1, 0, 2]);
  same.dispose();
});
