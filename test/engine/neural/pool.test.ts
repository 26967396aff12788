import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NonFiniteEnergyError } from '../../../src/engine/energy';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../src/engine/neural/neural-energy';
import { PooledNeuralEnergy } from '../../../src/engine/neural/pool';
import { tinyCnnEnergy } from '../../helpers/tiny-cnn-energy';
import { createModel, initialParameters } from '../../../src/engine/neural/models';

const description: NeuralEnergyDescription = tinyCnnEnergy('cpu');

test('the pool gives the same energies and gradients as one thread, bit for bit (cpu backend)', async (t) => {
  await tf.setBackend('cpu');
  const single = new NeuralEnergy(description);
  const pool = new PooledNeuralEnergy(description, { size: 2 });
  t.after(() => pool.dispose());
  await pool.ready();
  const model = createModel(description.model);
  const pts = Array.from({ length: 5 }, (_, i) => initialParameters(model, i));
  const copies = pts.map((p) => Float32Array.from(p));
  assert.equal(pool.dimension, single.dimension);
  for (let call = 0; call < 2; call++) {
    const a = await single.lossAndGradient(pts);
    const b = await pool.lossAndGradient(pts);
    assert.deepEqual(b.losses, a.losses);
    assert.deepEqual(b.gradients, a.gradients);
  }
  assert.deepEqual(await pool.loss(pts.slice(0, 3)), await single.loss(pts.slice(0, 3)));
  const [one, alone] = [await pool.lossAndGradient([pts[0]]), await single.lossAndGradient([pts[0]])];
  assert.deepEqual([one.losses, one.gradients], [alone.losses, alone.gradients]);
  assert.deepEqual(pts, copies, 'the caller keeps its points');
  const bad = Float32Array.from(pts[4]);
  bad[0] = Number.POSITIVE_INFINITY;
  await assert.rejects(pool.lossAndGradient([...pts.slice(0, 4), bad]), (e: unknown) => e instanceof NonFiniteEnergyError && e.pointIndex === 4);
});

test('a worker that cannot build its energy rejects with the reason', async (t) => {
  const pool = new PooledNeuralEnergy({ ...description, data: { kind: 'mnist-idx', dir: '/nonexistent/mnist' } as NeuralEnergyDescription['data'], model: { kind: 'mlp', widths: [784, 10] } }, { size: 1 });
  t.after(() => pool.dispose());
  await assert.rejects(pool.ready(), /\/nonexistent\/mnist: data directory does not exist/);
});

test('an MLP pool (stacked points, shared memory) equals one thread bit for bit on cpu; concurrent calls keep their own vectors', async (t) => {
  await tf.setBackend('cpu');
  const mlp: NeuralEnergyDescription = { ...description, model: { kind: 'mlp', widths: [64, 12, 3] }, backend: 'cpu' };
  const single = new NeuralEnergy(mlp);
  const pool = new PooledNeuralEnergy(mlp, { size: 2 });
  t.after(() => pool.dispose());
  const model = createModel(mlp.model);
  const pts = Array.from({ length: 5 }, (_, i) => initialParameters(model, 10 + i));
  const [a0, a1] = [await single.lossAndGradient(pts), await single.lossAndGradient(pts.slice(0, 3))];
  // Two calls in flight at once: each must come back with its own batch's results.
  const [b0, b1] = await Promise.all([pool.lossAndGradient(pts), pool.lossAndGradient(pts.slice(0, 3))]);
  assert.deepEqual([b0.losses, b0.gradients], [a0.losses, a0.gradients]);
  assert.deepEqual([b1.losses, b1.gradients], [a1.losses, a1.gradients]);
  await assert.rejects(pool.lossAndGradient([pts[0], pts[1].subarray(1)]), /points\[1\]: expected 819 coordinates, got 818/);
});

test('released gradients are reused by a later call; kept ones are never overwritten', async () => {
  await tf.setBackend('cpu');
  const energy = new NeuralEnergy({ ...description, model: { kind: 'mlp', widths: [64, 12, 3] } });
  const model = createModel(energy.description.model);
  const pts = [initialParameters(model, 1), initialParameters(model, 2)];
  const kept = await energy.lossAndGradient(pts);
  const copy = kept.gradients.map((g) => Float32Array.from(g));
  const next = await energy.lossAndGradient(pts);
  assert.deepEqual(kept.gradients, copy, 'not released: untouched by the next call');
  assert.notEqual(next.gradients[0].buffer, kept.gradients[0].buffer);
  next.release?.();
  const third = await energy.lossAndGradient(pts);
  assert.equal(third.gradients[0].buffer, next.gradients[0].buffer, 'released memory is taken again');
  assert.deepEqual(kept.gradients, copy);
});
