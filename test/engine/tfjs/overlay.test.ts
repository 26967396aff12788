// Kernel overlays stack in one order and come off restoring exactly what each replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernelFixes, unregisterWasmKernelFixes, wasmFixesOverlay } from '../../../src/engine/tfjs/fixes';
import { registerWasmExtras, unregisterWasmExtras, wasmExtrasOverlay } from '../../../src/engine/tfjs/fixes/wasm-extras';
import { applyOverlay, kernelBelow, overlayApplied, removeOverlay, type KernelOverlay } from '../../../src/engine/tfjs/overlay';

test('overlays go on bottom to top, and removing one restores the kernels it replaced', () => {
  const stockBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  const stockSum = tf.getKernel('Sum', 'wasm');
  assert.ok(stockBatchMatMul && stockSum, 'the wasm backend registers its kernels on import');
  registerWasmKernelFixes();
  registerWasmExtras();
  assert.ok(overlayApplied(wasmFixesOverlay) && overlayApplied(wasmExtrasOverlay));
  assert.equal(kernelBelow('wasm-fixes', 'BatchMatMul'), stockBatchMatMul);
  assert.equal(kernelBelow('wasm-extras', 'Sum'), stockSum);

  // A top layer of our own, over the extras' Sum: removing it puts the extras' Sum back, not the stock one.
  const sumOverExtras = { kernelName: 'Sum', backendName: 'wasm', kernelFunc: () => { throw new Error('unused'); } };
  const top: KernelOverlay = { name: 'native-blas', backendName: 'wasm', kernels: [sumOverExtras] };
  applyOverlay(top);
  assert.equal(tf.getKernel('Sum', 'wasm')?.kernelFunc, sumOverExtras.kernelFunc);
  // Going on beneath an applied layer would overwrite it: refused.
  unregisterWasmExtras(); // takes the top layer off with it
  assert.equal(overlayApplied(top), false);
  assert.equal(tf.getKernel('Sum', 'wasm'), stockSum);
  applyOverlay(top);
  assert.throws(() => registerWasmExtras(), /wasm-extras must go on before native-blas/);
  removeOverlay(top);

  unregisterWasmKernelFixes();
  assert.equal(tf.getKernel('BatchMatMul', 'wasm'), stockBatchMatMul);
  assert.equal(tf.getKernel('Sum', 'wasm'), stockSum);
});
