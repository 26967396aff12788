import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NonFiniteEnergyError } from '../../../src/engine/energy';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../src/engine/neural/neural-energy';
import { createModel, initialParameters } from '../../../src/engine/neural/models';
import { Random } from '../../../src/engine/random';

const description: NeuralEnergyDescription = {
  model: { kind: 'mlp', widths: [8, 12, 3] },
  data: { kind: 'synthetic', classes: 3, shape: [1, 1, 8], trainSize: 200, testSize: 50, seed: 3 },
  seed: 1,
  batchSize: 32,
  evalSize: 100,
  evalBatchSize: 30,
};

function points(n: number): Float32Array[] {
  const model = createModel(description.model);
  return Array.from({ length: n }, (_, i) => initialParameters(model, 100 + i));
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('gradients equal finite differences of the loss on the same batch (coordinates and a random direction)', async () => {
  const energy = new NeuralEnergy(description);
  const [p] = points(1);
  const { losses, gradients } = energy.lossAndGradientAt(0, [p]);
  const g = gradients[0];
  const lossAt = (q: Float32Array) => energy.lossAndGradientAt(0, [q]).losses[0];
  assert.equal(lossAt(p), losses[0]);
  const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
  for (const i of order.slice(0, 6)) {
    const up = Float32Array.from(p);
    const down = Float32Array.from(p);
    up[i] += 1e-2;
    down[i] -= 1e-2;
    const fd = (lossAt(up) - lossAt(down)) / (up[i] - down[i]);
    assert.ok(Math.abs(fd - g[i]) < 0.02 * Math.abs(g[i]) + 1e-4, `coordinate ${i}: ${fd} vs ${g[i]}`);
  }
  const r = new Random(9);
  const v = new Float32Array(p.length).map(() => r.normal());
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const h = 1e-2 / norm;
  const fd = (lossAt(p.map((x, i) => x + h * v[i])) - lossAt(p.map((x, i) => x - h * v[i]))) / (2 * h);
  const directional = g.reduce((s, x, i) => s + x * v[i], 0);
  assert.ok(Math.abs(fd - directional) < 0.02 * Math.abs(directional), `${fd} vs ${directional}`);
});

test('one shared batch per call: equal points get equal losses; batches follow the seed call by call', async () => {
  const a = new NeuralEnergy(description);
  const b = new NeuralEnergy(description);
  const [p, q] = points(2);
  const first = await a.lossAndGradient([p, q, p]);
  assert.equal(first.losses[0], first.losses[2]);
  assert.deepEqual(first.gradients[0], first.gradients[2]);
  const second = await a.lossAndGradient([p]);
  assert.notEqual(second.losses[0], first.losses[0]);
  assert.deepEqual((await b.lossAndGradient([q])).losses[0], first.losses[1]);
  assert.equal(a.calls, 2);
  // loss() uses a fixed evaluation subset: the same at every call.
  assert.deepEqual(await a.loss([p, q]), await a.loss([p, q]));
  assert.equal((await a.loss([p]))[0], (await b.loss([p]))[0]);
});

test('no tensors leak across calls', async () => {
  const energy = new NeuralEnergy(description);
  const pts = points(3);
  await energy.lossAndGradient(pts);
  await energy.loss(pts);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    await energy.lossAndGradient(pts);
    await energy.loss(pts);
  }
  assert.equal(tf.memory().numTensors, before);
  const bn = new NeuralEnergy({ ...description, model: { kind: 'resnet', depth: 8, classes: 3, input: [4, 4, 2], width: 2 }, data: { ...description.data, shape: [4, 4, 2] } as NeuralEnergyDescription['data'], batchNorm: 'recompute', recompute: { batches: 2, batchSize: 8 } });
  const r = initialParameters(bn.model, 1);
  await bn.lossAndGradient([r]);
  await bn.loss([r]);
  const beforeBn = tf.memory().numTensors;
  await bn.lossAndGradient([r, r]);
  await bn.loss([r]);
  assert.equal(tf.memory().numTensors, beforeBn);
});

test('non-finite coordinates and losses fail with NonFiniteEnergyError naming the point', async () => {
  const energy = new NeuralEnergy(description);
  const [p, q] = points(2);
  const bad = Float32Array.from(q);
  bad[5] = Number.NaN;
  await assert.rejects(energy.lossAndGradient([p, bad]), (e: unknown) => e instanceof NonFiniteEnergyError && e.what === 'coordinate' && e.pointIndex === 1);
  const huge = p.map(() => 3e38);
  await assert.rejects(energy.loss([huge]), (e: unknown) => e instanceof NonFiniteEnergyError && e.pointIndex === 0);
  assert.throws(() => new NeuralEnergy({ ...description, evalSplit: 'validation' as 'train' }), /energy.evalSplit/);
});
