/**
 * The neural energy on WebGPU: all pivots of a step in one dispatch and one readback, equal to
 * cpu point by point; an AutoNEB run on an MLP gives cpu's path and saddle within 1e-4 relative.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runAutoNEB } from '../../../../src/engine/autoneb/run';
import { batchTensors } from '../../../../src/engine/neural/data';
import { createModel, initialParameters, lossAndGradient } from '../../../../src/engine/neural/models';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../../src/engine/neural/neural-energy';
import { on, relativeError, webGpu } from './setup';

const description: NeuralEnergyDescription = {
  model: { kind: 'mlp', widths: [8, 16, 16, 3] },
  data: { kind: 'synthetic', classes: 3, shape: [1, 1, 8], trainSize: 200, testSize: 50, seed: 3 },
  seed: 1,
  batchSize: 32,
  evalSize: 100,
  evalBatchSize: 30,
};
const model = createModel(description.model);
const pivots = Array.from({ length: 5 }, (_, i) => initialParameters(model, 100 + i));

let skip: string | null = null;
before(async () => {
  const report = await webGpu();
  skip = typeof report === 'string' ? report : null;
});

test('all pivots in one dispatch and one readback (losses, sums, gradients), each equal to cpu point by point', async (t) => {
  if (skip) return t.skip(skip);
  const energy = new NeuralEnergy(description);
  const data = tf.Tensor.prototype.data;
  let reads = 0;
  tf.Tensor.prototype.data = function (this: tf.Tensor) {
    reads++;
    return data.call(this);
  } as typeof data;
  let gpu;
  try {
    gpu = await energy.lossAndGradient(pivots);
  } finally {
    tf.Tensor.prototype.data = data;
  }
  // One readback: the summary (losses, point sums, gradient sums) and one gradient per parameter tensor.
  assert.equal(reads, 1 + model.layout.entries.length);
  const batch = energy.batchOfCall(0);
  const cpu = await on('cpu', () => {
    const { x, labels } = batchTensors(energy.dataset, batch);
    try {
      return pivots.map((p) => lossAndGradient(model, p, x, labels));
    } finally {
      tf.dispose([x, labels]);
    }
  });
  cpu.forEach((c, i) => {
    assert.ok(Math.abs(gpu.losses[i] - c.loss) <= 1e-5 * c.loss, `pivot ${i}: loss ${gpu.losses[i]} webgpu, ${c.loss} cpu`);
    assert.ok(relativeError(gpu.gradients[i], c.gradient) <= 1e-5, `pivot ${i}: gradient`);
  });
  const losses = await energy.loss(pivots);
  const cpuLosses = await on('cpu', () => new NeuralEnergy(description).loss(pivots));
  assert.ok(relativeError(losses, cpuLosses) <= 1e-5, `evaluation losses ${losses} webgpu, ${cpuLosses} cpu`);
});

test('a NaN pivot fails the evaluation on webgpu naming the pivot', async (t) => {
  if (skip) return t.skip(skip);
  const bad = pivots.map((p) => p.slice());
  bad[3][7] = Number.NaN;
  await assert.rejects(new NeuralEnergy(description).lossAndGradient(bad), /non-finite coordinate at point 3: coordinate 7/);
});

test('an AutoNEB run on an MLP gives the same path and saddle on webgpu as on cpu (1e-4 relative)', async (t) => {
  if (skip) return t.skip(skip);
  const [start, end] = [pivots[0], pivots[4]];
  const gpu = await runAutoNEB(new NeuralEnergy(description), start, end, 'tiny');
  const cpu = await on('cpu', () => runAutoNEB(new NeuralEnergy(description), start, end, 'tiny'));
  assert.equal(gpu.pivots.length, cpu.pivots.length);
  assert.ok(cpu.pivots.length > 2, 'pivots were inserted');
  const worst = Math.max(...cpu.pivots.map((p, i) => relativeError(gpu.pivots[i], p)));
  const saddle = Math.abs(gpu.saddle.energy - cpu.saddle.energy) / Math.abs(cpu.saddle.energy);
  t.diagnostic(`${cpu.pivots.length} pivots; worst pivot relative difference ${worst.toExponential(2)}, saddle ${saddle.toExponential(2)}`);
  assert.ok(worst <= 1e-4, `worst pivot relative difference ${worst}`);
  assert.ok(Math.abs(gpu.saddle.energy - cpu.saddle.energy) <= 1e-4 * Math.abs(cpu.saddle.energy), `saddle ${gpu.saddle.energy} webgpu, ${cpu.saddle.energy} cpu`);
  assert.equal(gpu.saddle.index, cpu.saddle.index);
});
