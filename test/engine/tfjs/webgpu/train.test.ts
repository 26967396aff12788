/**
 * Training and evaluation on WebGPU (asynchronous readback) equal cpu: a few SGD steps of a CNN
 * (no batch statistics) and of a ResNet (batch statistics, running-statistics updates), then
 * train/test loss and error of the result.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { evaluate, evaluateAsync } from '../../../../src/engine/neural/evaluate';
import type { ModelSpec } from '../../../../src/engine/neural/models';
import { trainMinimum } from '../../../../src/engine/neural/train';
import type { DataSpec } from '../../../../src/engine/neural/data';
import { on, relativeError, webGpu } from './setup';

let skip: string | null = null;
before(async () => {
  const report = await webGpu();
  skip = typeof report === 'string' ? report : null;
});

const data: DataSpec = { kind: 'synthetic', classes: 3, shape: [8, 8, 3], trainSize: 64, testSize: 32, seed: 5 };
const MODELS: ModelSpec[] = [
  { kind: 'cnn', input: [8, 8, 3], channels: [4], classes: 3 },
  { kind: 'resnet', depth: 8, classes: 3, input: [8, 8, 3], width: 4 },
];
const config = { steps: 6, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, milestones: [4], gamma: 0.1, progressEvery: 3 };

for (const spec of MODELS) {
  test(`${spec.kind}: ${config.steps} SGD steps and the evaluation of the result on webgpu equal cpu`, async (t) => {
    if (skip) return t.skip(skip);
    const gpu = await trainMinimum(spec, data, config, 11);
    const cpu = await on('cpu', () => trainMinimum(spec, data, config, 11));
    const err = relativeError(gpu.params, cpu.params);
    assert.ok(err <= 1e-4, `parameters differ by ${err} relative`);
    assert.ok(relativeError(gpu.history.map((h) => h.loss), cpu.history.map((h) => h.loss)) <= 1e-4, 'loss history');

    const gpuMetrics = await evaluateAsync(spec, data, cpu.params, { batchSize: 20 });
    const cpuMetrics = await on('cpu', () => evaluate(spec, data, cpu.params, { batchSize: 20 }));
    for (const part of ['train', 'test'] as const) {
      assert.ok(Math.abs(gpuMetrics[part].loss - cpuMetrics[part].loss) <= 1e-5 * cpuMetrics[part].loss, `${part} loss`);
      assert.equal(gpuMetrics[part].error, cpuMetrics[part].error, `${part} error`);
      assert.equal(gpuMetrics[part].count, data[part === 'train' ? 'trainSize' : 'testSize']);
    }
  });
}
