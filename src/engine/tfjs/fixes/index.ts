/**
 * Kernel fixes for tfjs-backend-wasm 4.22 (see docs/backend.md for the measurements):
 * registration replaces the stock kernel (kept for delegation and for unregistering, so the
 * bench can compare stock and fixed in one process).
 */
import { getKernel, type KernelConfig } from '@tensorflow/tfjs';
import { applyOverlay, removeOverlay, type KernelOverlay } from '../overlay';
import { batchMatMulFix } from './batch-mat-mul';
import { conv2DBackpropFilterFix } from './conv2d-backprop-filter';
import { conv2DBackpropInputFix } from './conv2d-backprop-input';
import { cpuFallbackFixes } from './cpu-fallback';
import { sliceFix } from './slice';
import { tileFix } from './tile';
import { unsortedSegmentSumFix } from './unsorted-segment-sum';

export const wasmKernelFixes: readonly KernelConfig[] = [
  batchMatMulFix, conv2DBackpropFilterFix, conv2DBackpropInputFix, sliceFix, tileFix, unsortedSegmentSumFix,
  ...cpuFallbackFixes,
];

/** True when the fix for this kernel (or all fixes, without a name) is the registered kernel. */
export function wasmKernelFixesRegistered(kernelName?: string): boolean {
  return wasmKernelFixes
    .filter((fix) => kernelName === undefined || fix.kernelName === kernelName)
    .every((fix) => getKernel(fix.kernelName, 'wasm')?.kernelFunc === fix.kernelFunc);
}

export const wasmFixesOverlay: KernelOverlay = { name: 'wasm-fixes', backendName: 'wasm', kernels: wasmKernelFixes };

/**
 * Registers every fix for backend 'wasm'; returns the kernel names. Import
 * @tensorflow/tfjs-backend-wasm first: importing it later would overwrite the fixes.
 */
export function registerWasmKernelFixes(): string[] {
  if (getKernel('BatchMatMul', 'wasm') === undefined) {
    throw new Error('wasm kernel fixes: @tensorflow/tfjs-backend-wasm is not loaded (its kernels are not registered)');
  }
  return applyOverlay(wasmFixesOverlay);
}

/** Puts the stock wasm kernels back (and leaves missing ones missing); overlays above come off too. */
export function unregisterWasmKernelFixes(): void {
  removeOverlay(wasmFixesOverlay);
}
