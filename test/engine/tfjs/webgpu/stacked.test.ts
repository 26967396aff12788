/**
 * CNN and ResNet pivots stacked on WebGPU (pivots folded into the batch axis: every convolution one
 * im2col and one batched product, BatchNorm per pivot): NeuralEnergy evaluates all pivots of a
 * step in one dispatch and one readback, each equal to cpu point by point.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { batchTensors } from '../../../../src/engine/neural/data';
import { initialParameters, lossAndGradient, readLater, stacksHere, type ModelSpec } from '../../../../src/engine/neural/models';
import { NeuralEnergy } from '../../../../src/engine/neural/neural-energy';
import { on, relativeError, webGpu } from './setup';

let skip: string | null = null;
before(async () => {
  const report = await webGpu();
  skip = typeof report === 'string' ? report : null;
});

const MODELS: { what: string; model: ModelSpec; shape: [number, number, number] }[] = [
  { what: 'CNN, two convolutions', model: { kind: 'cnn', input: [8, 8, 2], channels: [3, 4], classes: 3 }, shape: [8, 8, 2] },
  { what: 'ResNet-8 shortcut A', model: { kind: 'resnet', depth: 8, classes: 3, input: [8, 8, 3], width: 2 }, shape: [8, 8, 3] },
  { what: 'ResNet-8 shortcut B', model: { kind: 'resnet', depth: 8, classes: 3, input: [8, 8, 3], width: 2, shortcut: 'B' }, shape: [8, 8, 3] },
];

for (const { what, model: spec, shape } of MODELS) {
  test(`${what}: all pivots in one dispatch and one readback on webgpu, each equal to cpu point by point`, async (t) => {
    if (skip) return t.skip(skip);
    const description = { model: spec, data: { kind: 'synthetic' as const, classes: 3, shape, trainSize: 40, testSize: 10, seed: 4 }, seed: 2, batchSize: 6 };
    const energy = new NeuralEnergy(description);
    const model = energy.model;
    assert.equal(stacksHere(model), true, 'webgpu stacks every model');
    const pivots = Array.from({ length: 4 }, (_, i) => initialParameters(model, 30 + i));
    const data = tf.Tensor.prototype.data;
    let reads = 0;
    tf.Tensor.prototype.data = function (this: tf.Tensor) {
      reads++;
      return data.call(this);
    } as typeof data;
    const before = tf.memory().numTensors;
    let gpu;
    try {
      gpu = await energy.lossAndGradient(pivots);
    } finally {
      tf.Tensor.prototype.data = data;
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    // One readback: the summary (losses, point sums, gradient sums) and one gradient per trainable tensor.
    assert.equal(reads, 1 + model.layout.entries.filter((e) => e.trainable).length);
    const batch = energy.batchOfCall(0);
    const cpu = await on('cpu', () => {
      const { x, labels } = batchTensors(energy.dataset, batch);
      try {
        return pivots.map((p) => lossAndGradient(model, p, x, labels));
      } finally {
        tf.dispose([x, labels]);
      }
    });
    let worst = 0;
    cpu.forEach((c, i) => {
      assert.ok(Math.abs(gpu.losses[i] - c.loss) <= 1e-5 * c.loss, `pivot ${i}: loss ${gpu.losses[i]} webgpu, ${c.loss} cpu`);
      worst = Math.max(worst, relativeError(gpu.gradients[i], c.gradient));
    });
    t.diagnostic(`worst gradient relative error ${worst.toExponential(2)} (max |Δ| / max |g|)`);
    assert.ok(worst <= 1e-5, `gradient relative error ${worst}`);
  });
}

test('AddN of more inputs than a shader may bind (the summary of a ResNet\'s ~40 tensors) equals the sum, with the fix', async (t) => {
  if (skip) return t.skip(skip);
  const inputs = Array.from({ length: 19 }, (_, i) => tf.tensor1d([i, -2 * i, 0.5 * i]));
  const sum = tf.addN(inputs);
  const values = await readLater((function* () {
    return (yield [sum])[0];
  })());
  assert.deepEqual(Array.from(values), [171, -342, 85.5]); // 0 + 1 + ... + 18 = 171
  tf.dispose([...inputs, sum]);
});
