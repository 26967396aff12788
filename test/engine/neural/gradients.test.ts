import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel, forward, initialParameters, lossAndGradient } from '../../../src/engine/neural/models';
import { Random } from '../../../src/engine/random';
import { batchLoss64, centralDifference, cnn64, mlp64 } from './reference';

/** A random batch [n, ...shape] and labels, from a seed. */
function randomBatch(seed: number, n: number, shape: number[], classes: number) {
  const r = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size).map(() => r.normal());
  const labels = Int32Array.from({ length: n }, () => r.int(classes));
  return { x, labels, size };
}

function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('MLP: forward equals the float64 reference and every gradient coordinate equals central differences', () => {
  const model = createModel({ kind: 'mlp', widths: [5, 4, 3, 3] });
  const params = initialParameters(model, 7);
  const { x, labels, size } = randomBatch(1, 6, [5], 3);
  const p64 = Float64Array.from(params);
  const logitsOf = (p: Float64Array, n: number) => mlp64(p, model.layout.entries, 3, Float64Array.from(x.subarray(n * size, (n + 1) * size)));

  const xt = tf.tensor2d(x, [6, 5]);
  const lt = tf.tensor1d(labels, 'int32');
  const logits = forward(model, params, xt);
  const expected = Array.from({ length: 6 }, (_, n) => Array.from(logitsOf(p64, n))).flat();
  assert.ok(maxRelativeError(logits.dataSync(), expected) < 1e-5);

  const { loss, gradient } = lossAndGradient(model, params, xt, lt);
  const f = (p: Float64Array) => batchLoss64(p, logitsOf, labels);
  assert.ok(Math.abs(loss - f(p64)) < 1e-5);
  const fd = Array.from({ length: params.length }, (_, i) => centralDifference(f, p64, i, 1e-6));
  assert.ok(maxRelativeError(gradient, fd) < 1e-4, `max relative error ${maxRelativeError(gradient, fd)}`);
  tf.dispose([xt, lt, logits]);
});

for (const input of [
  [6, 6, 1],
  [6, 6, 3],
] as [number, number, number][]) {
  test(`CNN on ${input.join('x')}: forward equals the float64 reference and every gradient coordinate equals central differences`, () => {
    const model = createModel({ kind: 'cnn', input, channels: [2, 3], classes: 4 });
    assert.deepEqual(
      model.layout.entries.map((e) => [e.name, e.shape]),
      [
        ['convs.0.weight', [2, input[2], 3, 3]],
        ['convs.0.bias', [2]],
        ['convs.1.weight', [3, 2, 3, 3]],
        ['convs.1.bias', [3]],
        ['fc.weight', [4, 3 * 1 * 1]],
        ['fc.bias', [4]],
      ],
    );
    const params = initialParameters(model, 3);
    const { x, labels, size } = randomBatch(2, 3, input, 4);
    const p64 = Float64Array.from(params);
    const logitsOf = (p: Float64Array, n: number) => cnn64(p, model.layout.entries, 2, 3, Float64Array.from(x.subarray(n * size, (n + 1) * size)), input);
    const xt = tf.tensor4d(x, [3, ...input]);
    const lt = tf.tensor1d(labels, 'int32');
    const logits = forward(model, params, xt);
    const expected = Array.from({ length: 3 }, (_, n) => Array.from(logitsOf(p64, n))).flat();
    assert.ok(maxRelativeError(logits.dataSync(), expected) < 1e-5);

    const { gradient } = lossAndGradient(model, params, xt, lt);
    const f = (p: Float64Array) => batchLoss64(p, logitsOf, labels);
    const fd = Array.from({ length: params.length }, (_, i) => centralDifference(f, p64, i, 1e-6));
    assert.ok(maxRelativeError(gradient, fd) < 1e-4, `max relative error ${maxRelativeError(gradient, fd)}`);
    tf.dispose([xt, lt, logits]);
  });
}

test('CNN flattens like PyTorch (C, H, W): fc input for 28x28x1 and 32x32x3 as documented', () => {
  assert.deepEqual(createModel({ kind: 'cnn', input: [28, 28, 1], classes: 10 }).layout.entries.find((e) => e.name === 'fc.weight')?.shape, [10, 32 * 7 * 7]);
  assert.deepEqual(createModel({ kind: 'cnn', input: [32, 32, 3], classes: 10 }).layout.entries.find((e) => e.name === 'fc.weight')?.shape, [10, 32 * 8 * 8]);
});

for (const shortcut of ['A', 'B'] as const) {
  test(`ResNet (shortcut ${shortcut}): logits shape, zero gradient at running statistics, a few coordinates by finite differences`, () => {
    const spec = { kind: 'resnet' as const, depth: 8, classes: 3, shortcut, input: [8, 8, 3] as [number, number, number], width: 4 };
    const model = createModel(spec);
    const params = initialParameters(model, 5);
    const { x, labels } = randomBatch(4, 4, spec.input, 3);
    const xt = tf.tensor4d(x, [4, 8, 8, 3]);
    const lt = tf.tensor1d(labels, 'int32');
    const logits = forward(model, params, xt, true);
    assert.deepEqual(logits.shape, [4, 3]);
    const { loss, gradient, statistics } = lossAndGradient(model, params, xt, lt);
    assert.equal(gradient.length, model.layout.dimension);
    // One BatchNorm per conv: stem + 2 per block (+ 1 per projection with B).
    assert.equal(statistics.length, 1 + 2 * 3 + (shortcut === 'B' ? 2 : 0));
    for (const e of model.layout.entries.filter((e) => !e.trainable)) {
      assert.ok(gradient.subarray(e.offset, e.offset + e.size).every((g) => g === 0), e.name);
    }
    // Float32 central differences in training mode on a few coordinates with large gradients.
    const f = (p: Float32Array) => lossAndGradient(model, p, xt, lt).loss;
    assert.ok(Math.abs(f(params) - loss) < 1e-6);
    const order = Array.from(gradient.keys()).sort((a, b) => Math.abs(gradient[b]) - Math.abs(gradient[a]));
    for (const i of [...order.slice(0, 4), order[Math.floor(order.length / 4)]]) {
      const eps = 1e-3;
      const up = Float32Array.from(params);
      up[i] += eps;
      const down = Float32Array.from(params);
      down[i] -= eps;
      const fd = (f(up) - f(down)) / (up[i] - down[i]);
      assert.ok(Math.abs(fd - gradient[i]) <= 0.02 * Math.abs(gradient[i]) + 1e-3, `coordinate ${i}: fd ${fd} vs ${gradient[i]}`);
    }
    tf.dispose([xt, lt, logits]);
  });
}
