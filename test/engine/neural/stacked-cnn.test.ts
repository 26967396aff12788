// CNN and ResNet pivots stacked (pivots folded into the batch axis: every convolution one im2col
// and one batched product, BatchNorm per pivot) give each pivot the loss and gradient it has
// alone, on cpu and wasm (webgpu: test/engine/tfjs/webgpu/stacked.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/engine/tfjs/backend';
import { canStack, createModel, initialParameters, lossAndGradient, stackedLossAndGradient } from '../../../src/engine/neural/models';
import { Random } from '../../../src/engine/random';

function batch(seed: number, n: number, shape: [number, number, number], classes: number) {
  const r = new Random(seed);
  const size = shape[0] * shape[1] * shape[2];
  return {
    x: tf.tensor4d(new Float32Array(n * size).map(() => r.normal()), [n, ...shape]),
    labels: tf.tensor1d(Int32Array.from({ length: n }, () => r.int(classes)), 'int32'),
  };
}

const cases = [
  { what: 'two convolutions, 2 input channels, odd sizes', spec: { kind: 'cnn' as const, input: [9, 7, 2] as [number, number, number], classes: 4, channels: [3, 5] } },
  { what: 'one convolution, grey 28x28 (the flatten of a single block)', spec: { kind: 'cnn' as const, input: [28, 28, 1] as [number, number, number], classes: 10, channels: [4] } },
  { what: 'three convolutions, kernel 5', spec: { kind: 'cnn' as const, input: [16, 16, 1] as [number, number, number], classes: 3, channels: [2, 3, 2], kernel: 5 } },
  { what: 'ResNet-8, shortcut A (stride-2 convolutions, BatchNorm per pivot)', spec: { kind: 'resnet' as const, depth: 8, classes: 3, width: 2, input: [8, 8, 3] as [number, number, number] } },
  { what: 'ResNet-8, shortcut B (1x1 stride-2 projection), 2 input channels', spec: { kind: 'resnet' as const, depth: 8, classes: 3, width: 2, shortcut: 'B' as const, input: [4, 8, 2] as [number, number, number] } },
];

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: stacked CNN and ResNet pivots equal point-by-point losses and gradients within float tolerance`, async () => {
    await initBackend({ choice: backend });
    for (const { what, spec } of cases) {
      const model = createModel(spec);
      assert.equal(canStack(model), true, what);
      const { x, labels } = batch(3, 6, spec.input, spec.classes);
      const points = Array.from({ length: 4 }, (_, i) => initialParameters(model, 70 + i));
      const before = tf.memory().numTensors;
      const stacked = stackedLossAndGradient(model, points, x, labels);
      assert.equal(tf.memory().numTensors, before, `${what}: no tensor left behind`);
      // Recycled vectors hold old values: running statistics' gradient must be written as zero.
      const into = points.map(() => new Float32Array(model.layout.dimension).fill(7));
      stackedLossAndGradient(model, points, x, labels, into);
      into.forEach((g, i) => assert.deepEqual(g, stacked.gradients[i], `${what}: point ${i} written into a used vector`));
      points.forEach((p, i) => {
        const one = lossAndGradient(model, p, x, labels);
        assert.ok(Math.abs(stacked.losses[i] - one.loss) < 1e-5 * Math.max(1, one.loss), `${what}: loss of point ${i}: ${stacked.losses[i]} vs ${one.loss}`);
        const scale = Math.max(...one.gradient.map(Math.abs));
        one.gradient.forEach((g, k) => assert.ok(Math.abs(stacked.gradients[i][k] - g) <= 1e-5 * scale, `${what}: point ${i} coordinate ${k}: ${stacked.gradients[i][k]} vs ${g}`));
      });
      tf.dispose([x, labels]);
    }
  });
}
