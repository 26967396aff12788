import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BackendError, initBackend, type ModuleLoader } from '../../../../src/engine/tfjs/backend';
import { loadNativeBlas, nativeKernelsRegistered } from '../../../../src/engine/tfjs/blas';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const realRequire: ModuleLoader = (id) => require(id);

/** Loads everything for real except `nblas`, which behaves as given. */
function withNblas(behaviour: 'missing' | 'throws' | 'wrong' | 'real'): ModuleLoader {
  return (id) => {
    if (id === '@tensorflow/tfjs-node-gpu' || id === '@tensorflow/tfjs-node') throw new Error(`Cannot find module '${id}'`);
    if (id !== 'nblas') return realRequire(id);
    if (behaviour === 'missing') throw Object.assign(new Error("Cannot find module 'nblas'"), { code: 'MODULE_NOT_FOUND' });
    if (behaviour === 'throws') throw new Error('libblas.so.3: cannot open shared object file: No such file or directory');
    if (behaviour === 'wrong') return { sgemm: () => undefined }; // builds but computes nothing
    return realRequire(id);
  };
}

function nblasInstalled(): string | null {
  const blas = loadNativeBlas(realRequire);
  return typeof blas === 'string' ? blas : null;
}

afterEach(async () => {
  await initBackend({ choice: 'wasm' }); // plain wasm again for the next test
});

test('auto falls back to plain wasm when nblas is missing, and says why', async () => {
  const report = await initBackend({ load: withNblas('missing') });
  assert.equal(report.name, 'wasm');
  assert.equal(report.tfBackend, 'wasm');
  assert.equal(report.nativeBlas?.ok, false);
  assert.match(report.nativeBlas?.reason ?? '', /nblas did not load: Cannot find module 'nblas'/);
  assert.match(report.reason, /^wasm \(simd, kernel fixes, native BLAS not used: nblas did not load/);
  assert.equal(nativeKernelsRegistered(), false);
  assert.equal(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0], 3, 'plain wasm still computes');
});

test('a binding that fails to load or computes wrong results is not used', async () => {
  const broken = await initBackend({ load: withNblas('throws') });
  assert.equal(broken.name, 'wasm');
  assert.match(broken.nativeBlas?.reason ?? '', /libblas\.so\.3/);
  const wrong = await initBackend({ load: withNblas('wrong') });
  assert.equal(wrong.name, 'wasm');
  assert.match(wrong.nativeBlas?.reason ?? '', /self-check gave \[0,0,0,0\], expected \[4,5,10,11\]/);
  assert.equal(nativeKernelsRegistered(), false);
});

test('NEB_ATLAS_BACKEND=native-blas without the binding is an error naming the reason', async () => {
  await assert.rejects(initBackend({ choice: 'native-blas', load: withNblas('missing') }),
    (err: Error) => err instanceof BackendError && /backend 'native-blas' is not usable: nblas did not load/.test(err.message));
});

test('with the binding, auto chooses native-blas and an explicit wasm stays plain', async (t) => {
  const missing = nblasInstalled();
  if (missing !== null) return t.skip(`native BLAS binding unavailable: ${missing}`);
  const report = await initBackend({ load: withNblas('real') });
  assert.equal(report.name, 'native-blas');
  assert.equal(report.tfBackend, 'wasm');
  assert.deepEqual(report.nativeBlas?.kernels, ['BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Add', 'Sum']);
  assert.match(report.reason, /^native-blas \(simd, kernel fixes, nblas sgemm \(system BLAS\), \d+ BLAS threads?\): auto/);
  assert.equal(nativeKernelsRegistered(), true);
  const plain = await initBackend({ choice: 'wasm', load: withNblas('real') });
  assert.equal(plain.name, 'wasm');
  assert.equal(plain.nativeBlas, undefined);
  assert.equal(nativeKernelsRegistered(), false);
});
