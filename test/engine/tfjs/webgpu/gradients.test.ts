/**
 * Every model's loss and gradient on WebGPU equal cpu's (Dawn on whatever adapter it finds: Mesa
 * llvmpipe here), the rank-6 pad fix, and a kernel that fails on the GPU reported by name.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createModel, initialParameters, lossAndGradientAsync, readLater, type ModelSpec } from '../../../../src/engine/neural/models';
import { Random } from '../../../../src/engine/random';
import { registerWebGpuKernelFixes, unregisterWebGpuKernelFixes } from '../../../../src/engine/tfjs/webgpu/fixes';
import { unwatchWebGpuKernels, WebGpuKernelError, watchWebGpuKernels } from '../../../../src/engine/tfjs/webgpu/kernel-errors';
import { on, relativeError, webGpu } from './setup';

let skip: string | null = null;
before(async () => {
  const report = await webGpu();
  skip = typeof report === 'string' ? report : null;
  if (typeof report !== 'string') console.log(`# ${report.reason}`);
});

const MODELS: ModelSpec[] = [
  { kind: 'mlp', widths: [12, 8, 5, 3] },
  { kind: 'cnn', input: [8, 8, 2], channels: [3, 4], classes: 3 },
  { kind: 'resnet', depth: 8, classes: 3, input: [8, 8, 3], width: 4 },
  { kind: 'resnet', depth: 8, classes: 3, input: [8, 8, 3], width: 4, shortcut: 'B' },
];

for (const spec of MODELS) {
  test(`${spec.kind}${spec.kind === 'resnet' ? ` shortcut ${spec.shortcut ?? 'A'}` : ''}: loss, gradient and batch statistics on webgpu equal cpu`, async (t) => {
    if (skip) return t.skip(skip);
    const model = createModel(spec);
    const params = initialParameters(model, 3);
    const shape = spec.kind === 'mlp' ? [spec.widths[0]] : spec.input!;
    const n = 6;
    const r = new Random(1);
    const xs = new Float32Array(n * shape.reduce((a, b) => a * b, 1)).map(() => r.normal());
    const ls = Int32Array.from({ length: n }, () => r.int(3));
    const evaluate = async () => {
      const x = tf.tensor(xs, [n, ...shape]);
      const labels = tf.tensor1d(ls, 'int32');
      try {
        return await lossAndGradientAsync(model, params, x, labels);
      } finally {
        tf.dispose([x, labels]);
      }
    };
    const before = tf.memory().numTensors;
    const gpu = await evaluate();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind on webgpu');
    const cpu = await on('cpu', evaluate);
    assert.ok(Math.abs(gpu.loss - cpu.loss) <= 1e-5 * Math.abs(cpu.loss), `loss ${gpu.loss} webgpu, ${cpu.loss} cpu`);
    const err = relativeError(gpu.gradient, cpu.gradient);
    assert.ok(err <= 1e-5, `gradient relative error ${err}`);
    assert.equal(gpu.statistics.length, cpu.statistics.length);
    gpu.statistics.forEach((s, i) => assert.ok(relativeError(s.variance, cpu.statistics[i].variance) <= 1e-5, `${s.prefix} variance`));
  });
}

const rank6 = () => tf.pad(tf.reshape(tf.range(1, 25, 1, 'float32'), [1, 2, 1, 3, 2, 2]), [[0, 0], [1, 0], [0, 0], [0, 0], [0, 2], [1, 1]], 0.5);
const readback = (t: tf.Tensor) => readLater((function* () {
  return (yield [t])[0];
})());

test('PadV2 at rank 6 (the gradient of ResNet shortcut A) equals cpu with the fix', async (t) => {
  if (skip) return t.skip(skip);
  const padded = rank6();
  const gpu = await readback(padded);
  const cpu = await on('cpu', () => rank6().dataSync());
  assert.deepEqual(padded.shape, [1, 3, 1, 3, 4, 4]);
  assert.deepEqual(Array.from(gpu), Array.from(cpu));
  padded.dispose();
});

test('a kernel that fails on the GPU (the stock PadV2 at rank 6) is reported with its name, not returned as garbage', async (t) => {
  if (skip) return t.skip(skip);
  unregisterWebGpuKernelFixes(); // the error scopes (above) come off too
  watchWebGpuKernels(); // back on, over the package's own PadV2
  try {
    const padded = rank6();
    await assert.rejects(readback(padded), (err: unknown) => {
      assert.ok(err instanceof WebGpuKernelError);
      assert.equal(err.kernelName, 'PadV2');
      assert.match(err.message, /^webgpu kernel PadV2 failed: .*(WGSL|PadProgram)/);
      return true;
    });
    padded.dispose();
  } finally {
    unwatchWebGpuKernels();
    registerWebGpuKernelFixes();
    watchWebGpuKernels();
  }
  const after = tf.add(tf.scalar(1), tf.scalar(2));
  assert.equal((await readback(after))[0], 3, 'later kernels work and are not blamed');
  after.dispose();
});
