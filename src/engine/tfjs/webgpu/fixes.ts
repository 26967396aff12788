/**
 * Kernel fixes for tfjs-backend-webgpu 4.22 (the wasm fixes' pattern: registration replaces the
 * stock kernel, which the fix keeps to delegate the cases it does not change).
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { padV2Fix } from './pad';

const FIXES: Record<string, (stock: KernelConfig) => KernelConfig> = { PadV2: padV2Fix };
let registered = false;
const stock = new Map<string, KernelConfig>();

/** The package's own kernel a fix replaced (tests run it to show what the fix is for). */
export function stockWebGpuKernel(kernelName: string): KernelConfig | undefined {
  return stock.get(kernelName);
}

/**
 * Registers the fixes (once per process: the package registers its kernels once, when loaded);
 * returns the kernel names. Load the webgpu package first.
 */
export function registerWebGpuKernelFixes(): string[] {
  if (!registered) {
    for (const [name, fix] of Object.entries(FIXES)) {
      const current = getKernel(name, 'webgpu');
      if (current === undefined) throw new Error(`webgpu kernel fixes: ${name} is not registered (is @tensorflow/tfjs-backend-webgpu loaded?)`);
      stock.set(name, current);
      unregisterKernel(name, 'webgpu');
      registerKernel(fix(current));
    }
    registered = true;
  }
  return Object.keys(FIXES);
}
