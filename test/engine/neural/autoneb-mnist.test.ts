import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { runAutoNEB } from '../../../src/engine/autoneb/run';
import { NeuralEnergy, type NeuralEnergyDescription } from '../../../src/engine/neural/neural-energy';
import { trainMinimum } from '../../../src/engine/neural/train';
import { lerp } from '../../../src/engine/vector';

test('short AutoNEB between two MNIST minima ends with a saddle loss below the linear-interpolation barrier', async () => {
  await tf.setBackend('wasm');
  const description: NeuralEnergyDescription = {
    model: { kind: 'mlp', widths: [784, 32, 10] },
    data: { kind: 'mnist', trainSize: 4000 },
    seed: 1,
    batchSize: 256,
    evalSize: 1000,
  };
  const train = { preset: 'mnist-small', steps: 400, milestones: [250, 350] };
  const a = (await trainMinimum(description.model, description.data, train, 1)).params;
  const b = (await trainMinimum(description.model, description.data, train, 2)).params;
  const energy = new NeuralEnergy(description);
  const line = await energy.loss(Array.from({ length: 21 }, (_, i) => lerp(a, b, i / 20)));
  const barrier = Math.max(...line);
  const result = await runAutoNEB(energy, a, b, 'tiny');
  const saddle = result.saddle.energy;
  console.log(`endpoints ${line[0].toFixed(4)} / ${line[20].toFixed(4)}; linear barrier ${barrier.toFixed(4)}; AutoNEB saddle ${saddle.toFixed(4)} after ${result.cycles.length} cycles, ${result.pivots.length} pivots`);
  assert.ok(barrier > Math.max(line[0], line[20]) + 0.05, 'the straight line has a barrier to remove');
  assert.ok(saddle < barrier, `saddle ${saddle} vs barrier ${barrier}`);
  assert.ok(result.pivots.length >= 5);
});
