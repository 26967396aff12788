import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NonFiniteEnergyError } from '../../src/engine/energy';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../src/engine/neural-energy';
import { PooledNeuralEnergy } from '../../src/engine/pool';
import { tinyCnnEnergy } from '../helpers/tiny-cnn-energy';
import { createModel, initialParameters } from '../../src/engine/models';

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
  assert.deepEqual(await pool.lossAndGradient([pts[0]]), await single.lossAndGradient([pts[0]]));
  assert.deepEqual(pts, copies, 'the caller keeps its points');
  const bad = Float32Array.from(pts[4]);
  bad[0] = Number.POSITIVE_INFINITY;
  await assert.rejects(pool.lossAndGradient([...pts.slice(0, 4), bad]), (e: unknown) => e instanceof NonFiniteEnergyError && e.pointIndex === 4);
});

test('a worker that cannot build its energy rejects with the reason', async (t) => {
  const pool = new PooledNeuralEnergy({ ...description, data: { kind: 'mnist', dir: '/nonexistent/mnist' } as NeuralEnergyDescription['data'], model: { kind: 'mlp', widths: [784, 10] } }, { size: 1 });
  t.after(() => pool.dispose());
  await assert.rejects(pool.ready(), /\/nonexistent\/mnist: data directory does not exist/);
});
