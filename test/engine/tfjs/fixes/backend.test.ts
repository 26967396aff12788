import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BackendError, initBackend, type ModuleLoader } from '../../../../src/engine/tfjs/backend';

// A stand-in for the native 'tensorflow' backend: a fresh cpu backend under that name.
const CpuBackend = (tf.engine().findBackend('cpu') as object).constructor as new () => tf.KernelBackend;

function missing(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

/** Loader for a machine where `present` load (registering 'tensorflow' as tfjs-node does). */
function loader(present: Record<string, 'ok' | 'throws' | 'init-fails'>): { load: ModuleLoader; loaded: string[] } {
  const loaded: string[] = [];
  const load: ModuleLoader = (id) => {
    loaded.push(id);
    const behaviour = present[id];
    if (behaviour === undefined) return missing(id);
    if (behaviour === 'throws') throw new Error('libcudart.so.11.0: cannot open shared object file');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (id === '@tensorflow/tfjs-backend-wasm') return require(id); // the real one: it works here
    tf.registerBackend('tensorflow', () => {
      if (behaviour === 'init-fails') throw new Error('could not create a TensorFlow session');
      return new CpuBackend();
    });
    return {};
  };
  return { load, loaded };
}

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

test('auto prefers tfjs-node-gpu when it loads and its backend initialises', async () => {
  const { load, loaded } = loader({ '@tensorflow/tfjs-node-gpu': 'ok', '@tensorflow/tfjs-node': 'ok' });
  const report = await initBackend({ load });
  assert.equal(report.name, 'tensorflow-gpu');
  assert.equal(report.tfBackend, 'tensorflow');
  assert.equal(tf.getBackend(), 'tensorflow');
  assert.deepEqual(report.attempts, [{ candidate: 'tensorflow-gpu', ok: true }]);
  assert.deepEqual(loaded, ['@tensorflow/tfjs-node-gpu']);
  assert.match(report.reason, /^tensorflow-gpu: auto/);
});

test('auto falls back to tfjs-node when the GPU build fails to load, and says why', async () => {
  const { load } = loader({ '@tensorflow/tfjs-node-gpu': 'throws', '@tensorflow/tfjs-node': 'ok' });
  const report = await initBackend({ load });
  assert.equal(report.name, 'tensorflow');
  assert.equal(report.attempts[0].ok, false);
  assert.match(report.attempts[0].error ?? '', /tfjs-node-gpu did not load: libcudart/);
  assert.match(report.reason, /tensorflow-gpu: @tensorflow\/tfjs-node-gpu did not load/);
});

test('a native module that loads but whose backend fails to initialise is skipped with the reason', async () => {
  const { load } = loader({ '@tensorflow/tfjs-node': 'init-fails', '@tensorflow/tfjs-backend-wasm': 'ok' });
  const report = await initBackend({ load, kernelFixes: false });
  assert.equal(report.name, 'wasm');
  assert.equal(report.attempts[1].candidate, 'tensorflow');
  assert.match(report.attempts[1].error ?? '', /failed to initialise.*could not create a TensorFlow session/);
});

test('without native modules auto chooses wasm (SIMD) with the kernel fixes', async () => {
  const report = await initBackend({ load: loader({ '@tensorflow/tfjs-backend-wasm': 'ok' }).load });
  assert.equal(report.name, 'wasm');
  assert.equal(report.tfBackend, 'wasm');
  assert.equal(report.wasmVariant, 'simd');
  assert.ok(report.kernelFixes.includes('BatchMatMul') && report.kernelFixes.includes('Conv2DBackpropFilter'));
  assert.deepEqual(report.attempts.map((a) => [a.candidate, a.ok]), [['tensorflow-gpu', false], ['tensorflow', false], ['wasm', true]]);
});

test('auto ends at cpu when wasm is unavailable too', async () => {
  const report = await initBackend({ load: loader({}).load });
  assert.equal(report.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(report.attempts.length, 4);
});

test('an explicit choice (NEB_ATLAS_BACKEND) forces a backend even when a better one is available', async () => {
  const { load, loaded } = loader({ '@tensorflow/tfjs-node-gpu': 'ok' });
  const report = await initBackend({ choice: 'cpu', load });
  assert.equal(report.name, 'cpu');
  assert.deepEqual(loaded, []);
  assert.match(report.reason, /chosen explicitly \(cpu\)/);
});

test('an explicit choice that cannot be used is an error naming the reason', async () => {
  await assert.rejects(initBackend({ choice: 'tensorflow', load: loader({}).load }),
    (err: Error) => err instanceof BackendError && /backend 'tensorflow'.*Cannot find module '@tensorflow\/tfjs-node'/.test(err.message));
  await assert.rejects(initBackend({ choice: 'tensorflow-gpu', load: loader({ '@tensorflow/tfjs-node-gpu': 'throws' }).load }),
    /backend 'tensorflow-gpu'.*libcudart/);
});

test('an unknown NEB_ATLAS_BACKEND value is an error naming the value', async () => {
  await assert.rejects(initBackend({ choice: 'gpu' }), /backend='gpu' is not a backend/);
  await assert.rejects(initBackend({ choice: 'webgl' }), /backend='webgl'/);
});
