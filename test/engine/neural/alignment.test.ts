import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError } from '../../../src/engine/errors';
import { initBackend } from '../../../src/engine/tfjs/backend';
import { createModel, forward, initialParameters, toParamTensors, type ModelSpec, type NeuralModel } from '../../../src/engine/neural/models';
import { batchTensors, chunks, loadDataset, makeBatch } from '../../../src/engine/neural/data';
import { recomputeBatchNorm } from '../../../src/engine/neural/evaluate';
import { Random } from '../../../src/engine/random';
import {
  alignMinimum,
  applyPermutations,
  invertPermutation,
  permutationSpec,
  randomPermutations,
  type AlignOptions,
} from '../../../src/engine/neural/alignment';

before(async () => {
  await initBackend();
});

/** Initial parameters with BatchNorm scales, shifts and running statistics made non-trivial. */
function parameters(model: NeuralModel, seed: number): Float32Array {
  const params = initialParameters(model, seed);
  const random = new Random(seed).derive('batchnorm');
  for (const e of model.layout.entries) {
    const view = params.subarray(e.offset, e.offset + e.size);
    if (e.role === 'bn_weight') view.forEach((_, i) => (view[i] = 0.5 + random.uniform()));
    if (e.role === 'bn_bias' || e.role === 'running_mean') view.forEach((_, i) => (view[i] = random.normal() * 0.3));
    if (e.role === 'running_var') view.forEach((_, i) => (view[i] = 0.5 + random.uniform()));
  }
  return params;
}

function batch(model: NeuralModel, n: number, seed: number): tf.Tensor {
  const random = new Random(seed);
  const shape = model.inputShape ? [n, ...model.inputShape] : [n, model.inputSize];
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => random.normal()), shape);
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/**
 * Permutes a network by known random permutations and aligns it back to the original: the
 * alignment must find the inverse permutations and give back the original bit for bit.
 */
function checkRecovery(model: NeuralModel, paramsSeed: number, permSeed: number, options: AlignOptions, reference = parameters(model, paramsSeed)): number {
  const spec = permutationSpec(model);
  const perms = randomPermutations(spec, new Random(permSeed));
  const moving = applyPermutations(model.layout, spec, reference, perms);
  const aligned = alignMinimum(model, moving, reference, options);
  for (const [name, perm] of perms) assert.deepEqual(aligned.perms.get(name), invertPermutation(perm), name);
  assert.deepEqual(aligned.params, reference);
  return aligned.sweeps;
}

const ARCHITECTURES: [string, ModelSpec][] = [
  ['MLP 20-16-12-5', { kind: 'mlp', widths: [20, 16, 12, 5] }],
  ['CNN 8x8x2, channels 4-6', { kind: 'cnn', input: [8, 8, 2], classes: 3, channels: [4, 6] }],
  ['ResNet-20 (shortcut A)', { kind: 'resnet', depth: 20, classes: 10, input: [8, 8, 3] }],
  ['ResNet-8 (shortcut B)', { kind: 'resnet', depth: 8, classes: 10, input: [8, 8, 3], shortcut: 'B', width: 6 }],
];

for (const [label, spec] of ARCHITECTURES) {
  test(`${label}: a permuted copy computes the same logits (BatchNorm statistics follow their channels)`, () => {
    const model = createModel(spec);
    const params = parameters(model, 1);
    const perms = randomPermutations(permutationSpec(model), new Random(7));
    const permuted = applyPermutations(model.layout, permutationSpec(model), params, perms);
    // The permutation moves most coordinates: the test is not about an identity.
    const moved = params.filter((v, i) => v !== permuted[i]).length;
    assert.ok(moved > params.length / 2, `only ${moved} of ${params.length} coordinates moved`);
    const x = batch(model, 6, 3);
    const [a, b] = [forward(model, params, x), forward(model, permuted, x)];
    const scale = tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
    assert.ok(scale > 1e-2, `logits too small to compare (${scale})`);
    assert.ok(maxAbsDifference(a, b) <= 1e-4, `max |d logits| = ${maxAbsDifference(a, b)}`);
    tf.dispose([a, b, x]);
  });

  test(`${label}: weight matching recovers a known random permutation exactly`, () => {
    const sweeps = checkRecovery(createModel(spec), 2, 11, { seed: 5 });
    assert.ok(sweeps >= 2 && sweeps <= 100, `sweeps ${sweeps}`);
  });
}

/**
 * Seeded blobs of ResNet inputs, and parameters whose BatchNorm running statistics are those of
 * these inputs (as at a trained minimum): with the randomised statistics of `parameters` a deep
 * ResNet's activations grow and whole channels stay at 0 on every example, and a unit that never
 * fires cannot be told apart from another by its activations.
 */
function resnetCase(model: NeuralModel, seed: number): { x: tf.Tensor; params: Float32Array } {
  const dataset = loadDataset({ kind: 'synthetic', classes: 10, shape: model.inputShape!, trainSize: 128, testSize: 8, seed });
  const params = recomputeBatchNorm(model, parameters(model, seed), dataset, { batches: 4, batchSize: 64 });
  const { x, labels } = batchTensors(dataset, makeBatch(dataset, 'train', chunks(128, 128)[0]));
  labels.dispose();
  return { x, params };
}

for (const [label, spec] of ARCHITECTURES) {
  test(`${label}: activation matching recovers a known random permutation exactly`, () => {
    const model = createModel(spec);
    const { x, params } = spec.kind === 'resnet' ? resnetCase(model, 4) : { x: batch(model, 200, 9), params: parameters(model, 4) };
    checkRecovery(model, 4, 13, { method: 'activation-matching', examples: x }, params);
    x.dispose();
  });
}

for (const [label, spec] of ARCHITECTURES.slice(2)) {
  test(`${label}: activation matching of an independent network keeps its function and raises the activations' correlation`, () => {
    const model = createModel(spec);
    const { x, params: reference } = resnetCase(model, 1);
    const other = resnetCase(model, 2);
    const moving = other.params;
    other.x.dispose();
    const aligned = alignMinimum(model, moving, reference, { method: 'activation-matching', examples: x });
    // Every permutation found, and not all of them the identity.
    assert.deepEqual([...aligned.perms.keys()].sort(), [...permutationSpec(model).sizes.keys()].sort());
    assert.ok([...aligned.perms.values()].some((p) => p.some((v, k) => v !== k)));
    // What the method maximises: the correlation of each unit with the reference's same unit, summed over every activation.
    const [before, after] = [matchedCorrelation(model, reference, moving, x), matchedCorrelation(model, reference, aligned.params, x)];
    assert.ok(after > before + 1, `summed correlation ${before} -> ${after}`);
    const y = batch(model, 6, 8);
    const [a, b] = [forward(model, moving, y), forward(model, aligned.params, y)];
    assert.ok(maxAbsDifference(a, b) <= 1e-4, `max |d logits| = ${maxAbsDifference(a, b)}`);
    tf.dispose([a, b, x, y]);
  });
}

/** Sum over every post-ReLU activation and unit of the correlation between the two networks' same unit. */
function matchedCorrelation(model: NeuralModel, a: Float32Array, b: Float32Array, x: tf.Tensor): number {
  return tf.tidy(() => {
    const acts = [a, b].map((p) => {
      const m = new Map<string, tf.Tensor>();
      model.apply(toParamTensors(model, p), x, { training: false, activations: m });
      return m;
    });
    let sum = 0;
    for (const [name, t] of acts[0]) {
      const columns = (u: tf.Tensor) => {
        const m = tf.reshape(u, [-1, u.shape[u.shape.length - 1]]);
        const { mean, variance } = tf.moments(m, 0);
        return tf.div(tf.sub(m, mean), tf.add(tf.sqrt(variance), 1e-8));
      };
      sum += tf.sum(tf.mean(tf.mul(columns(t), columns(acts[1].get(name)!)), 0)).dataSync()[0];
    }
    return sum;
  });
}

test('weight matching brings an independent network closer without changing its function', () => {
  const model = createModel({ kind: 'mlp', widths: [20, 32, 32, 5] });
  const reference = parameters(model, 1);
  const moving = parameters(model, 2);
  const aligned = alignMinimum(model, moving, reference, { seed: 1 });
  const distance = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]));
  assert.ok(distance(aligned.params, reference) < distance(moving, reference) * 0.95, `${distance(aligned.params, reference)} vs ${distance(moving, reference)}`);
  const x = batch(model, 8, 1);
  const [a, b] = [forward(model, moving, x), forward(model, aligned.params, x)];
  assert.ok(maxAbsDifference(a, b) <= 1e-4);
  tf.dispose([a, b, x]);
});

test('an unknown method, activation matching without examples and a parameter vector of the wrong size are coded input errors naming the field', () => {
  const model = createModel({ kind: 'resnet', depth: 8, classes: 10, input: [8, 8, 3] });
  const p = parameters(model, 1);
  const x = batch(model, 2, 1);
  assert.throws(() => alignMinimum(model, p, p, { method: 'activation-matching' }), (err: unknown) => err instanceof InvalidInputError && err.field === 'examples');
  assert.throws(() => alignMinimum(model, p, p, { method: 'nearest' as never }), (err: unknown) => err instanceof InvalidInputError && err.field === 'method');
  assert.throws(() => alignMinimum(model, p.subarray(1), p), (err: unknown) => err instanceof InvalidInputError && err.field === 'minimum');
  x.dispose();
});

test('timing: weight matching of MLP 784-512-512-10 (goal < 2 s) and ResNet-20 (goal < 10 s)', (t) => {
  for (const [label, spec] of [
    ['MLP 784-512-512-10', { kind: 'mlp', widths: [784, 512, 512, 10] }],
    ['ResNet-20', { kind: 'resnet', depth: 20, classes: 10 }],
  ] as [string, ModelSpec][]) {
    const model = createModel(spec);
    const reference = parameters(model, 1);
    const moving = parameters(model, 2);
    // CPU time beside wall time: on a shared machine the wall time mostly measures the others.
    const cpu = process.cpuUsage();
    const aligned = alignMinimum(model, moving, reference, { seed: 1 });
    const used = process.cpuUsage(cpu);
    const line = `${label} weight matching (${tf.getBackend()}): ${aligned.seconds.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, ${aligned.sweeps} sweeps`;
    t.diagnostic(line);
    console.log(`# ${line}`);
  }
});
