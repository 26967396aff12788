// Curvature of a BatchNorm network (issue 19): the Hessian-vector products are those of the
// network in inference mode (the point's running statistics, fixed), checked on a small ResNet:
// its gradient against the inference-mode loss itself, its products against central differences
// of that gradient; the batch-statistics gradient (the previous behaviour) fails both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { HessianVectorProducts } from '../../../src/engine/curvature';
import { batchTensors } from '../../../src/engine/neural/data';
import { recomputeBatchNorm } from '../../../src/engine/neural/evaluate';
import { batchLoss, createModel, gradientSteps, initialParameters, readNow } from '../../../src/engine/neural/models';
import { fixedBatchGradients } from '../../../src/engine/neural/curvature-source';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../src/engine/neural/neural-energy';
import { Random } from '../../../src/engine/random';

/** ResNet-8 (one block per stage, width 2) on 4x4x2 synthetic images: D = 1335, a few ms per gradient. */
const description: NeuralEnergyDescription = {
  model: { kind: 'resnet', depth: 8, classes: 3, input: [4, 4, 2], width: 2 },
  data: { kind: 'synthetic', classes: 3, shape: [4, 4, 2], trainSize: 64, testSize: 16, seed: 3 },
  seed: 5,
  batchSize: 16,
};

test.before(async () => {
  await tf.setBackend('cpu');
});

const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};

test('ResNet-8 with BatchNorm: the products are central differences of the inference-mode gradient (running statistics fixed)', async (t) => {
  const energy = new NeuralEnergy(description);
  const model = createModel(description.model);
  // Running statistics of the network itself (as a trained minimum has), not the initial 0 / 1.
  const theta = recomputeBatchNorm(model, initialParameters(model, 9), energy.dataset, { seed: 'bn' });
  const trainable = model.layout.entries.filter((e) => e.trainable);
  const random = new Random(4);
  // A probe over the trainable coordinates (the running statistics are no coordinates of the loss).
  const v = new Float64Array(energy.dimension);
  for (const e of trainable) for (let i = e.offset; i < e.offset + e.size; i++) v[i] = random.normal();
  const norm = Math.sqrt(dot(v, v));
  v.forEach((x, i) => (v[i] = x / norm));

  const { x, labels } = batchTensors(energy.dataset, energy.batchOfCall(0));
  const source = fixedBatchGradients(energy, 0, theta);
  try {
    // 1. The source's gradient is the inference-mode loss's: its slope along v equals the central
    // difference of that loss, evaluated on its own (no gradient code); batch statistics differ.
    const f = (s: number) => batchLoss(model, Float32Array.from(theta, (p, i) => p + s * v[i]), x, labels, false);
    const h = 1e-3;
    const slope = (f(h) - f(-h)) / (2 * h);
    const [g] = await source.gradients([theta]);
    const gBatch = energy.lossAndGradientAt(0, [theta]).gradients[0];
    const error = Math.abs(dot(g, v) - slope) / Math.abs(slope);
    const batchError = Math.abs(dot(gBatch, v) - slope) / Math.abs(slope);
    t.diagnostic(`slope along v: inference loss ${slope.toPrecision(5)}, inference gradient ${dot(g, v).toPrecision(5)} (${error.toExponential(1)}), batch-statistics gradient ${dot(gBatch, v).toPrecision(5)} (${batchError.toExponential(1)})`);
    assert.ok(error < 1e-2, `inference-mode gradient within 1% of the loss's slope: ${error}`);
    assert.ok(batchError > 0.1, `batch statistics give another function's gradient: ${batchError}`);

    // 2. A product is (g(θ + h v) - g(θ - h v)) / 2h of that gradient, computed here directly.
    const products = new HessianVectorProducts(source, theta, 1e-4);
    const hv = await products.applyOne(v);
    const inference = (s: number) => readNow(gradientSteps(model, Float32Array.from(theta, (p, i) => p + s * v[i]), x, labels, false)).gradient;
    const plus = inference(products.step);
    const minus = inference(-products.step);
    const reference = Float64Array.from(plus, (p, i) => (p - minus[i]) / (2 * products.step));
    const difference = Math.sqrt(dot(hv.map((y, i) => y - reference[i]), hv.map((y, i) => y - reference[i]))) / Math.sqrt(dot(reference, reference));
    assert.ok(difference < 1e-5, `products equal the inference-mode differences: ${difference}`);
    const hvBatch = await new HessianVectorProducts({ dimension: energy.dimension, gradients: async (ps) => energy.lossAndGradientAt(0, ps).gradients.map((q) => Float32Array.from(q)) }, theta, 1e-4).applyOne(v);
    const batchDifference = Math.sqrt(dot(hvBatch.map((y, i) => y - reference[i]), hvBatch.map((y, i) => y - reference[i]))) / Math.sqrt(dot(reference, reference));
    t.diagnostic(`|Hv - inference differences| / |Hv|: ${difference.toExponential(1)}; batch-statistics products: ${batchDifference.toExponential(1)}`);
    assert.ok(batchDifference > 0.1, `batch-statistics products differ: ${batchDifference}`);

    // 3. Moving only the running statistics changes nothing: they are held at the measured point's.
    const statisticsOnly = new Float64Array(energy.dimension);
    for (const e of model.layout.entries.filter((e) => !e.trainable)) for (let i = e.offset; i < e.offset + e.size; i++) statisticsOnly[i] = 1;
    const moved = await products.applyOne(statisticsOnly);
    assert.equal(Math.max(...moved.map(Math.abs)), 0);
  } finally {
    tf.dispose([x, labels]);
  }
});
test('a BatchNorm network needs the measured point for its statistics', () => {
  assert.throws(() => fixedBatchGradients(new NeuralEnergy(description)), /running statistics/);
});
