/**
 * The webgpu overlays share the one order with the wasm ones but not a stack: taking the native
 * BLAS layer off wasm (as every initBackend does first) must leave the webgpu kernels alone.
 * Measured before the fix: it unregistered wasm kernels under the webgpu layers' names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { applyOverlay, removeOverlay, runBelow, type KernelOverlay } from '../../../../src/engine/tfjs/overlay';

const kernel = (kernelName: string, backendName: string, value: number): KernelConfig =>
  ({ kernelName, backendName, kernelFunc: (() => value) as unknown as KernelFunc });

test('removing a wasm overlay leaves the webgpu overlays and the wasm kernels of the same names in place', () => {
  registerKernel(kernel('OverlayTestOp', 'wasm', 1));
  registerKernel(kernel('OverlayTestOp', 'webgpu', 2));
  const blas: KernelOverlay = { name: 'native-blas', backendName: 'wasm', kernels: [kernel('OverlayTestOp', 'wasm', 10)] };
  const gpuFix: KernelOverlay = { name: 'webgpu-fixes', backendName: 'webgpu', kernels: [kernel('OverlayTestOp', 'webgpu', 20)] };
  const call = (backendName: string) => (getKernel('OverlayTestOp', backendName)!.kernelFunc as unknown as () => number)();
  try {
    applyOverlay(blas);
    applyOverlay(gpuFix);
    removeOverlay(blas);
    assert.equal(call('wasm'), 1, 'wasm back to its own kernel');
    assert.equal(call('webgpu'), 20, 'the webgpu fix still on');
    assert.equal((runBelow('webgpu-fixes', 'OverlayTestOp', {} as never, 'test') as unknown as number), 2);
    applyOverlay(blas); // a wasm layer may go on again: the webgpu layer is not above it
    assert.equal(call('wasm'), 10);
    removeOverlay(gpuFix);
    assert.equal(call('webgpu'), 2);
    assert.equal(call('wasm'), 10, 'removing the webgpu layer leaves wasm alone');
  } finally {
    removeOverlay(blas);
    removeOverlay(gpuFix);
    unregisterKernel('OverlayTestOp', 'wasm');
    unregisterKernel('OverlayTestOp', 'webgpu');
  }
});
