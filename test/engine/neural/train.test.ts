import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { NonFiniteEnergyError } from '../../../src/engine/energy';
import { InvalidInputError } from '../../../src/engine/errors';
import { evaluate, interpolationProfile, recomputeBatchNorm } from '../../../src/engine/neural/evaluate';
import { createModel, initialParameters, type CnnSpec, type MlpSpec, type ResNetSpec } from '../../../src/engine/neural/models';
import { learningRate, resolveTrainConfig, trainMinimum, TRAIN_PRESETS, type TrainProgress } from '../../../src/engine/neural/train';
import { loadDataset, type SyntheticSpec } from '../../../src/engine/neural/data';

const blobs: SyntheticSpec = { kind: 'synthetic', classes: 3, shape: [1, 1, 8], trainSize: 96, testSize: 30, seed: 11 };
const smallMlp: MlpSpec = { kind: 'mlp', widths: [8, 16, 3] };

test('MLP 784-100-10 on the bundled MNIST reaches test error below 6% (wasm, preset mnist-small)', async () => {
  await tf.setBackend('wasm');
  const records: TrainProgress[] = [];
  const start = Date.now();
  const { params } = await trainMinimum({ kind: 'mlp', widths: [784, 100, 10] }, { kind: 'mnist' }, 'mnist-small', 1, {
    onProgress: (p) => records.push(p),
  });
  const seconds = (Date.now() - start) / 1000;
  const { train, test: held } = evaluate({ kind: 'mlp', widths: [784, 100, 10] }, { kind: 'mnist' }, params);
  console.log(`mnist-small: ${TRAIN_PRESETS['mnist-small'].steps} steps in ${seconds.toFixed(1)} s; train error ${train.error}, test error ${held.error}, test loss ${held.loss.toFixed(4)}`);
  assert.ok(held.error < 0.06, `test error ${held.error}`);
  assert.equal(records.length, TRAIN_PRESETS['mnist-small'].steps / TRAIN_PRESETS['mnist-small'].progressEvery);
  assert.ok(records[records.length - 1].loss < records[0].loss);
  assert.equal(records[records.length - 1].lr, learningRate(resolveTrainConfig('mnist-small'), TRAIN_PRESETS['mnist-small'].steps - 1));
});

test('the same seed gives the same minimum bit for bit; another seed another minimum (cpu and wasm)', async () => {
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const a = await trainMinimum(smallMlp, blobs, { preset: 'tiny', steps: 60 }, 4);
    const b = await trainMinimum(smallMlp, blobs, { preset: 'tiny', steps: 60 }, 4);
    const c = await trainMinimum(smallMlp, blobs, { preset: 'tiny', steps: 60 }, 5);
    assert.deepEqual(a.params, b.params);
    assert.notDeepEqual(a.params, c.params);
  }
  await tf.setBackend('cpu');
  const spec: CnnSpec = { kind: 'cnn', input: [8, 8, 3], channels: [4], classes: 3 };
  const data = { ...blobs, shape: [8, 8, 3] as [number, number, number], augment: true };
  const a = await trainMinimum(spec, data, { preset: 'tiny', steps: 10, batchSize: 8 }, 'x');
  const b = await trainMinimum(spec, data, { preset: 'tiny', steps: 10, batchSize: 8 }, 'x');
  assert.deepEqual(a.params, b.params);
});

test('SGD with momentum and weight decay follows PyTorch: one step from a known point', async () => {
  await tf.setBackend('cpu');
  // One step with lr 0.1, wd 0.5 from p0: p1 = p0 - 0.1 * (g + 0.5 p0); the gradient g of the
  // first batch is recovered from a step with wd 0 and the same seed.
  const model = createModel(smallMlp);
  const p0 = initialParameters(model, 9);
  const step = (weightDecay: number) => trainMinimum(model, blobs, { preset: 'tiny', steps: 1, lr: 0.1, weightDecay }, 9);
  const plain = (await step(0)).params;
  const decayed = (await step(0.5)).params;
  for (let i = 0; i < p0.length; i += 37) {
    const g = (p0[i] - plain[i]) / 0.1;
    assert.ok(Math.abs(decayed[i] - (p0[i] - 0.1 * (g + 0.5 * p0[i]))) < 1e-6);
  }
});

test('learning-rate schedule: milestones multiply by gamma; presets and validation', () => {
  const paper = resolveTrainConfig('paper');
  assert.deepEqual(
    [paper.lr, paper.momentum, paper.weightDecay, paper.steps, paper.milestones, paper.batchSize],
    [0.1, 0.9, 1e-4, 64000, [32000, 48000], 128],
  );
  assert.equal(learningRate(paper, 31999), 0.1);
  assert.ok(Math.abs(learningRate(paper, 32000) - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRate(paper, 48000) - 0.001) < 1e-12);
  assert.throws(() => resolveTrainConfig('huge'), (e: unknown) => e instanceof InvalidInputError && e.field === 'train.preset');
  assert.throws(() => resolveTrainConfig({ steps: 0 }), (e: unknown) => e instanceof InvalidInputError && e.field === 'train.steps');
  assert.throws(() => resolveTrainConfig({ lr: Number.NaN }), (e: unknown) => e instanceof InvalidInputError && e.field === 'train.lr');
});

test('a diverging run fails with NonFiniteEnergyError; an aborted run rejects with the abort reason', async () => {
  await tf.setBackend('cpu');
  await assert.rejects(trainMinimum(smallMlp, blobs, { preset: 'tiny', lr: 1e30, momentum: 0 }, 1), NonFiniteEnergyError);
  const controller = new AbortController();
  const steps: number[] = [];
  await assert.rejects(
    trainMinimum(smallMlp, blobs, { preset: 'tiny', progressEvery: 5 }, 1, {
      signal: controller.signal,
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step === 10) controller.abort(new Error('stop here'));
      },
    }),
    /stop here/,
  );
  assert.deepEqual(steps, [5, 10]);
  await assert.rejects(trainMinimum({ kind: 'mlp', widths: [7, 3] }, blobs, 'tiny', 1), (e: unknown) => e instanceof InvalidInputError && e.field === 'model.widths[0]');
});

test('evaluation: zero parameters give loss ln(K) and the error of always answering class 0', async () => {
  await tf.setBackend('cpu');
  const model = createModel(smallMlp);
  const zero = new Float32Array(model.layout.dimension);
  const data = loadDataset(blobs);
  const { train, test: held } = evaluate(model, data, zero, { batchSize: 7 });
  assert.ok(Math.abs(train.loss - Math.log(3)) < 1e-6);
  assert.equal(train.error, Array.from(data.train.labels).filter((l) => l !== 0).length / data.train.count);
  assert.equal(held.count, 30);
});

test('linear-interpolation profile: ends equal the minima; the straight line through zero has ln(K) in the middle', async () => {
  await tf.setBackend('cpu');
  const model = createModel(smallMlp);
  const a = (await trainMinimum(model, blobs, 'tiny', 1)).params;
  const b = a.map((v) => -v);
  const { points, barrier } = interpolationProfile(model, blobs, a, b, { points: 5 });
  assert.deepEqual(
    points.map((p) => p.t),
    [0, 0.25, 0.5, 0.75, 1],
  );
  assert.ok(Math.abs(points[0].trainLoss - evaluate(model, blobs, a).train.loss) < 1e-9);
  assert.ok(Math.abs(points[2].trainLoss - Math.log(3)) < 1e-6);
  assert.equal(barrier, Math.max(...points.map((p) => p.trainLoss)));
});

test('BatchNorm: training updates running statistics; recomputing them at a point averages batch statistics', async () => {
  await tf.setBackend('cpu');
  const spec: ResNetSpec = { kind: 'resnet', depth: 8, classes: 3, input: [4, 4, 2], width: 2 };
  const data = { ...blobs, shape: [4, 4, 2] as [number, number, number] };
  const model = createModel(spec);
  const { params } = await trainMinimum(model, data, { preset: 'tiny', steps: 5, batchSize: 16 }, 1);
  const mean = model.layout.entries.find((e) => e.name === 'bn1.running_mean')!;
  assert.ok(params.subarray(mean.offset, mean.offset + mean.size).some((v) => v !== 0));
  // With the weights of conv1 set to zero, bn1's input is 0: batch mean 0, variance 0.
  const conv = model.layout.entries.find((e) => e.name === 'conv1.weight')!;
  const p = Float32Array.from(params);
  p.fill(0, conv.offset, conv.offset + conv.size);
  const recomputed = recomputeBatchNorm(model, p, loadDataset(data), { batches: 3, batchSize: 8 });
  const variance = model.layout.entries.find((e) => e.name === 'bn1.running_var')!;
  assert.ok(recomputed.subarray(mean.offset, mean.offset + mean.size).every((v) => v === 0));
  assert.ok(recomputed.subarray(variance.offset, variance.offset + variance.size).every((v) => v === 0));
  assert.deepEqual(recomputed.subarray(0, conv.offset + conv.size), p.subarray(0, conv.offset + conv.size));
});
