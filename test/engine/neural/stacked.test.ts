import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/engine/tfjs/backend';
import { NonFiniteEnergyError } from '../../../src/engine/energy';
import { canStack, createModel, initialParameters, lossAndGradient, stackedLossAndGradient, stacksHere } from '../../../src/engine/neural/models';
import { NeuralEnergy } from '../../../src/engine/neural/neural-energy';
import { Random } from '../../../src/engine/random';

const model = createModel({ kind: 'mlp', widths: [12, 7, 5, 3] });

function batch(seed: number, n: number) {
  const r = new Random(seed);
  return {
    x: tf.tensor2d(new Float32Array(n * 12).map(() => r.normal()), [n, 12]),
    labels: tf.tensor1d(Int32Array.from({ length: n }, () => r.int(3)), 'int32'),
  };
}

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: stacked points give each point's own loss and gradient, and a point's result does not depend on the others`, async () => {
    await initBackend({ choice: backend });
    const { x, labels } = batch(1, 9);
    const points = Array.from({ length: 5 }, (_, i) => initialParameters(model, 40 + i));
    const before = tf.memory().numTensors;
    const stacked = stackedLossAndGradient(model, points, x, labels);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    points.forEach((p, i) => {
      const one = lossAndGradient(model, p, x, labels);
      assert.ok(Math.abs(stacked.losses[i] - one.loss) < 1e-6, `loss of point ${i}`);
      const scale = Math.max(...one.gradient.map(Math.abs));
      one.gradient.forEach((g, k) => assert.ok(Math.abs(stacked.gradients[i][k] - g) <= 1e-6 * scale, `point ${i} coordinate ${k}`));
      assert.ok(Math.abs(stacked.pointSums[i] - sum(p)) < 1e-4);
      assert.ok(Math.abs(stacked.gradientSums[i] - sum(one.gradient)) < 1e-4);
      const alone = stackedLossAndGradient(model, [p], x, labels);
      assert.equal(alone.losses[0], stacked.losses[i]);
      assert.deepEqual(alone.gradients[0], stacked.gradients[i]);
    });
    tf.dispose([x, labels]);
  });
}

test('every model stacks; on cpu NeuralEnergy stacks the MLP, not CNN or ResNet (measured to lose there); a model without applyStacked is refused', async () => {
  await initBackend({ choice: 'cpu' });
  const resnet = createModel({ kind: 'resnet', depth: 20, classes: 10 });
  assert.equal(canStack(model), true);
  assert.equal(canStack(resnet), true);
  assert.equal(stacksHere(model), true);
  assert.equal(stacksHere(createModel({ kind: 'cnn', input: [28, 28, 1], classes: 10 })), false);
  assert.equal(stacksHere(resnet), false);
  const plain = { ...model, applyStacked: undefined };
  assert.equal(canStack(plain), false);
  assert.throws(() => stackedLossAndGradient(plain, [], tf.zeros([1, 8]), tf.tensor1d([0], 'int32')), /cannot evaluate stacked/);
});

test('a stacked energy names the point with a non-finite coordinate; an overflowing sum alone is no error', async () => {
  await initBackend({ choice: 'cpu' });
  const energy = new NeuralEnergy({
    model: { kind: 'mlp', widths: [8, 6, 3] },
    data: { kind: 'synthetic', classes: 3, shape: [1, 1, 8], trainSize: 100, testSize: 20, seed: 2 },
    seed: 1,
    batchSize: 16,
  });
  const points = Array.from({ length: 3 }, (_, i) => initialParameters(energy.model, i));
  const ok = await energy.lossAndGradient(points);
  assert.equal(ok.gradients.length, 3);
  const infinite = Float32Array.from(points[2]);
  infinite[3] = Number.POSITIVE_INFINITY;
  await assert.rejects(energy.lossAndGradient([points[0], points[1], infinite]),
    (e: unknown) => e instanceof NonFiniteEnergyError && e.what === 'coordinate' && e.pointIndex === 2 && /coordinate 3/.test(e.message));
  // Finite coordinates whose sum overflows float32 are not an error by themselves.
  const large = Float32Array.from(points[1]);
  large.fill(0, 0, 48);
  large[0] = 3e38;
  large[1] = 3e38;
  const r = await energy.lossAndGradient([points[0], large]).catch((e: unknown) => e);
  assert.ok(!(r instanceof NonFiniteEnergyError && r.what === 'coordinate'), `no coordinate error: ${String(r)}`);
});
