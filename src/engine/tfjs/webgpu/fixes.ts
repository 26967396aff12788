/**
 * Kernel fixes for tfjs-backend-webgpu 4.22, one overlay (../overlay) over the package's kernels:
 * each fix delegates the cases it does not change to the kernel beneath it.
 */
import { applyOverlay, removeOverlay, type KernelOverlay } from '../overlay';
import { addNFix } from './add-n';
import { padV2Fix } from './pad';

export const webGpuKernelFixes: KernelOverlay = { name: 'webgpu-fixes', backendName: 'webgpu', kernels: [padV2Fix, addNFix] };

/** Registers the fixes over the package's kernels; returns the kernel names. Load the package first. */
export function registerWebGpuKernelFixes(): string[] {
  return applyOverlay(webGpuKernelFixes);
}

/** Puts the package's own kernels back (a test shows what a fix is for). */
export function unregisterWebGpuKernelFixes(): void {
  removeOverlay(webGpuKernelFixes);
}
