import type { NeuralEnergyDescription } from '../../src/engine/neural/neural-energy';

/** A tiny CNN on synthetic 8x8 images: cheap enough for pool tests on every backend. */
export function tinyCnnEnergy(backend: string): NeuralEnergyDescription {
  return {
    model: { kind: 'cnn', input: [8, 8, 1], channels: [3], classes: 3 },
    data: { kind: 'synthetic', classes: 3, shape: [8, 8, 1], trainSize: 100, testSize: 20, seed: 2 },
    seed: 7,
    batchSize: 16,
    evalSize: 40,
    backend,
  };
}
