import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../../src/engine/tfjs/backend';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../../src/engine/neural/neural-energy';
import { PooledNeuralEnergy } from '../../../../src/engine/neural/pool';
import { tinyCnnEnergy } from '../../../helpers/tiny-cnn-energy';
import { currentBackend } from '../../../../src/engine/neural/pool/backend';
import { createModel, initialParameters } from '../../../../src/engine/neural/models';
import { setUp } from './helpers';

const description: NeuralEnergyDescription = tinyCnnEnergy('native-blas');

// nblas is a classic addon (one registration per loaded file): the main thread has it loaded
// here, so each worker thread must load its own copy (src/engine/tfjs/blas/binding.ts).
test('worker threads run native BLAS beside the main thread and equal it bit for bit', async (t) => {
  const blas = await setUp();
  if (typeof blas === 'string') {
    t.skip(`native BLAS unavailable: ${blas}`);
    return;
  }
  const report = await initBackend({ choice: 'native-blas' });
  assert.equal(report.name, 'native-blas');
  assert.equal(currentBackend().choice, 'native-blas', 'a pool without an explicit backend takes the native path too');
  const single = new NeuralEnergy(description);
  const pool = new PooledNeuralEnergy(description, { size: 2 });
  t.after(() => pool.dispose());
  await pool.ready();
  const model = createModel(description.model);
  const points = Array.from({ length: 4 }, (_, i) => initialParameters(model, i + 1));
  for (let call = 0; call < 2; call++) {
    const a = await single.lossAndGradient(points);
    const b = await pool.lossAndGradient(points);
    assert.deepEqual(b.losses, a.losses);
    assert.deepEqual(b.gradients, a.gradients);
  }
  await initBackend({ choice: 'wasm' });
  assert.equal(currentBackend().choice, 'wasm');
});
